"""Domain errors. Services raise these; app.main maps each to one HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out, with a message fit for the user."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    status_code = 400


class NotAuthenticated(DomainError):
    status_code = 401


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class PayloadTooLarge(DomainError):
    status_code = 413


class UnsupportedMediaType(DomainError):
    status_code = 415


class ServiceUnavailable(DomainError):
    """A backing service (database, bus, object store) is down; retry later."""

    status_code = 503
