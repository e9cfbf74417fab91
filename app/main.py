"""Assembles the Murmur web application."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from litestar import Litestar, Request, Response
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import (
    HTTPException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError, OperationalError

from app.accounts.handlers import AccountApi, AccountPages
from app.accounts.sessions import provide_optional_viewer, provide_secure_cookies, provide_viewer
from app.bus.base import Bus, BusUnavailable
from app.errors import DomainError
from app.feed.handlers import FeedPages
from app.health import healthz, readyz
from app.logs import configure_logging
from app.media_files import media_file
from app.outbox import OutboxRelay
from app.pages import base_context
from app.posts.handlers import PostsApi
from app.posts.service import PostService
from app.posts.uploads import UploadReceiver
from app.runtime import Runtime, running, secret_key
from app.settings import Settings, get_settings
from app.social.handlers import SocialApi
from app.social.pages import SocialPages
from app.social.service import SocialService
from app.storage.base import StorageUnavailable, Stores
from app.templating import STATIC_DIR, jinja_env
from realtime.hub import Hub
from realtime.socket import feed_socket

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("murmur.requests")

CSRF_COOKIE = "murmur_csrf"
CSRF_HEADER = "x-csrf-token"


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    configure_logging()

    @contextlib.asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with running(settings) as runtime:
            app.state.runtime = runtime
            yield

    def provide_settings() -> Settings:
        return settings

    def provide_replica_id() -> str:
        return settings.server.replica_id

    dependencies = {
        "settings": Provide(provide_settings, sync_to_thread=False),
        "replica_id": Provide(provide_replica_id, sync_to_thread=False),
        "viewer": Provide(provide_viewer),
        "maybe_viewer": Provide(provide_optional_viewer),
        "secure_cookies": Provide(provide_secure_cookies, sync_to_thread=False),
        "stores": Provide(provide_stores, sync_to_thread=False),
        "bus": Provide(provide_bus, sync_to_thread=False),
        "hub": Provide(provide_hub, sync_to_thread=False),
        "posts": Provide(provide_posts, sync_to_thread=False),
        "social": Provide(provide_social, sync_to_thread=False),
        "relay": Provide(provide_relay, sync_to_thread=False),
        "uploads": Provide(provide_uploads, sync_to_thread=False),
    }

    return Litestar(
        route_handlers=[
            AccountPages,
            AccountApi,
            FeedPages,
            PostsApi,
            SocialApi,
            SocialPages,
            feed_socket,
            healthz,
            readyz,
            media_file,
            create_static_files_router(
                path="/static", directories=[STATIC_DIR], include_in_schema=False
            ),
        ],
        dependencies=dependencies,
        lifespan=[lifespan],
        middleware=[request_log_middleware],
        csrf_config=CSRFConfig(
            secret=secret_key(settings),
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_samesite="lax",
            cookie_secure=settings.server.cookie_secure,
            cookie_httponly=True,
        ),
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(jinja_env())),
        # Only the JSON document: the browsable renderers load scripts from CDNs, and
        # Murmur serves everything itself.
        openapi_config=OpenAPIConfig(
            title="Murmur API",
            version="1.0.0",
            path="/api/schema",
            render_plugins=[JsonRenderPlugin(path="/openapi.json")],
        ),
        exception_handlers={Exception: handle_error},
        logging_config=None,
        request_max_body_size=1024 * 1024,  # forms and JSON; uploads set their own
        debug=False,
    )


def _runtime(state: State) -> Runtime:
    return state.runtime  # type: ignore[no-any-return]


def provide_stores(state: State) -> Stores:
    return _runtime(state).stores


def provide_bus(state: State) -> Bus:
    return _runtime(state).bus


def provide_hub(state: State) -> Hub:
    return _runtime(state).hub


def provide_posts(state: State) -> PostService:
    return _runtime(state).posts


def provide_social(state: State) -> SocialService:
    return _runtime(state).social


def provide_relay(state: State) -> OutboxRelay:
    return _runtime(state).relay


def provide_uploads(state: State) -> UploadReceiver:
    return _runtime(state).uploads


_UNAVAILABLE = {
    DBConnectionError: "The database is not reachable right now. Please try again in a moment.",
    OperationalError: "The database could not complete this request right now. Please try again soon.",
    StorageUnavailable: "File storage is not reachable right now. Please try again in a moment.",
    BusUnavailable: "The message bus is not reachable right now. Please try again in a moment.",
    ConnectionError: "A service Murmur needs is not reachable right now. Please try again soon.",
}


def handle_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The one place that turns errors into HTTP responses: JSON for the API, pages otherwise."""
    status, message = _status_and_message(exc)
    if status >= 500:
        logger.error(
            "request failed %s %s: %s", request.method, request.url.path, message, exc_info=exc
        )

    wants_json = request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )
    if wants_json:
        return Response({"status_code": status, "detail": message}, status_code=status)
    if status == 401:
        return Redirect("/login")
    # The session was looked up before the error if the handler needed it; show it.
    session = getattr(request.state, "session_info", None)
    context = base_context(
        request,
        session.user if session else None,
        status_code=status,
        title=_TITLES.get(status, "Something went wrong"),
        message=message,
    )
    return Template("error.html", context=context, status_code=status)


_TITLES = {
    400: "That did not work",
    403: "Not allowed",
    404: "Not found",
    413: "Too large",
    503: "Unavailable",
}


def _status_and_message(exc: Exception) -> tuple[int, str]:
    if isinstance(exc, DomainError):
        return exc.status_code, exc.message
    if isinstance(exc, PermissionDeniedException) and "CSRF" in str(exc.detail):
        return (
            403,
            "This request's security token (CSRF) is missing or out of date. "
            "Reload the page and try again.",
        )
    if isinstance(exc, RecursionError):
        return 400, "The request body is nested too deeply to read."
    if isinstance(exc, OverflowError):
        return 400, "A number in the request is too large."
    if isinstance(exc, ValidationException):
        return 400, _validation_message(exc)
    if isinstance(exc, NotFoundException):
        return 404, "There is nothing at this address."
    if isinstance(exc, HTTPException):
        return exc.status_code, str(exc.detail)
    for kind, message in _UNAVAILABLE.items():
        if isinstance(exc, kind):
            return 503, message
    return 500, "Something went wrong on our side. Please try again."


_PLAIN_TYPES = {
    "int": "a whole number",
    "str": "text",
    "bool": "true or false",
    "float": "a number",
}


def _validation_message(exc: ValidationException) -> str:
    extra = exc.extra if isinstance(exc.extra, list) else []
    details = [_plain_detail(e) for e in extra if isinstance(e, dict)]
    return "The request was not valid: " + ("; ".join(details) if details else str(exc.detail))


def _plain_detail(error: dict[str, Any]) -> str:
    """'before: Expected `int | null`, got `str`' becomes 'before should be a whole number'."""
    key, message = error.get("key", "body"), str(error.get("message", ""))
    match = re.match(r"Expected `(\w+)", message)
    if match and match.group(1) in _PLAIN_TYPES:
        return f"{key} should be {_PLAIN_TYPES[match.group(1)]}"
    return f"{key}: {message}"


def request_log_middleware(app: ASGIApp) -> ASGIApp:
    """One INFO line per HTTP request: method, path, status, milliseconds."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            client = scope.get("client")
            request_logger.info(
                "%s %s %s %.1fms client=%s",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                client[0] if client else "-",
            )

    return middleware
