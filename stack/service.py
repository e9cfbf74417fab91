"""What every service of the native stack has in common, and the values they share.

A service knows how to prepare its files, the command that runs it, how to tell it is
healthy and how to stop it cleanly; stack.services.Stack decides when.
"""

from __future__ import annotations

import os
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from app.settings import StorageSettings
from stack import process
from stack.config import StackConfig

HOST = "127.0.0.1"

DATABASE = "murmur"
DB_USER = "murmur"
DB_PASSWORD = "murmur"


class StackError(RuntimeError):
    """A service could not be started or stopped; the message says which and why."""


@dataclass(frozen=True)
class ServiceState:
    name: str
    address: str
    pid: int | None
    healthy: bool
    log_path: Path

    @property
    def state(self) -> str:
        if self.pid is None:
            return "stopped"
        return "healthy" if self.healthy else "unhealthy"


class Service:
    """One process of the stack. Subclasses fill in the specifics."""

    name: str = ""
    requires: tuple[str, ...] = ()
    """Services that must be running before this one starts."""

    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg

    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def home(self) -> Path:
        return self.cfg.service_dir(self.name)

    @property
    def log_path(self) -> Path:
        return self.cfg.log_path(self.name)

    @property
    def diagnostic_logs(self) -> list[Path]:
        """Logs whose tails explain a failed start."""
        return [self.log_path]

    def ports(self) -> list[int]:
        """Every port the service binds, checked free before it starts."""
        return [self.port]

    def prepare(self) -> None:
        """Install what is missing and write configuration; safe to repeat."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def cwd(self) -> Path:
        return self.home

    def is_healthy(self) -> bool:
        raise NotImplementedError

    def after_healthy(self) -> None:
        """One-off set-up that needs the running service; safe to repeat."""

    def request_stop(self, record: process.PidRecord) -> None:
        process.send(record, signal.SIGTERM)


def app_env(cfg: StackConfig, replica_id: str, data_dir: Path | None = None) -> dict[str, str]:
    """The MURMUR_* variables a process needs to use the stack's real services."""
    ports = cfg.ports
    access_key, secret_key = s3_credentials()
    return {
        "MURMUR_REPLICA_ID": replica_id,
        "MURMUR_DATA_DIR": str(data_dir or cfg.service_dir(replica_id)),
        "MURMUR_DATABASE_URL": f"mysql://{DB_USER}:{DB_PASSWORD}@{HOST}:{ports.mariadb}/{DATABASE}",
        "MURMUR_STORAGE_BACKEND": "s3",
        "MURMUR_S3_ENDPOINT": f"http://{HOST}:{ports.s3}",
        "MURMUR_S3_ACCESS_KEY": access_key,
        "MURMUR_S3_SECRET_KEY": secret_key,
        "MURMUR_BUS_BACKEND": "kafka",
        "MURMUR_KAFKA_BOOTSTRAP": f"{HOST}:{ports.kafka}",
        "MURMUR_ENCODER_INLINE": "0",
        "MURMUR_TRUSTED_PROXIES": HOST,
        "MURMUR_SECRET_KEY": shared_secret(cfg),
    }


def shared_secret(cfg: StackConfig) -> str:
    """One secret for every replica (CSRF tokens must verify wherever a request lands)."""
    path = cfg.stack_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def s3_credentials() -> tuple[str, str]:
    """The app's S3 keys (settings defaults unless overridden), which the server trusts."""
    settings = StorageSettings()
    return settings.s3_access_key, settings.s3_secret_key


def media_bucket() -> str:
    return StorageSettings().media_bucket
