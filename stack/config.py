"""Where the native stack keeps its files and which ports it listens on.

Every value comes from a ``MURMUR_STACK_*`` environment variable with a default; nothing
else in the launcher reads ``os.environ`` for its own settings. The default ports sit beside
the usual ones (3306, 9092, 9000, 80, 8000) so the stack does not clash with a system
service or a developer's own server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

_PREFIX = "MURMUR_STACK_"

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The work tree the launcher belongs to; the app and encoder run from here."""


def _int_env(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(_PREFIX + name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{_PREFIX}{name} must be a port number, got {raw!r}") from exc


@dataclass(frozen=True)
class Ports:
    """Every TCP port the stack listens on, all bound to 127.0.0.1."""

    mariadb: int = 3307
    """MariaDB's SQL port."""
    kafka: int = 9192
    """Kafka's PLAINTEXT listener, the bootstrap address clients use."""
    kafka_controller: int = 9193
    """Kafka's KRaft controller listener."""
    s3: int = 9100
    """S3 API of the object store."""
    s3_internal: int = 9102
    """First of nine consecutive ports the object store uses between its own parts."""
    web: tuple[int, int] = (8001, 8002)
    """The two web replicas."""
    encoder_health: tuple[int, int] = (8011, 8012)
    """/healthz of the two encoder workers."""
    nginx: int = 8080
    """The load balancer, the address a browser opens."""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Ports:
        d = cls()
        return cls(
            mariadb=_int_env(env, "MARIADB_PORT", d.mariadb),
            kafka=_int_env(env, "KAFKA_PORT", d.kafka),
            kafka_controller=_int_env(env, "KAFKA_CONTROLLER_PORT", d.kafka_controller),
            s3=_int_env(env, "S3_PORT", d.s3),
            s3_internal=_int_env(env, "S3_INTERNAL_PORT", d.s3_internal),
            web=(
                _int_env(env, "WEB_1_PORT", d.web[0]),
                _int_env(env, "WEB_2_PORT", d.web[1]),
            ),
            encoder_health=(
                _int_env(env, "ENCODER_1_PORT", d.encoder_health[0]),
                _int_env(env, "ENCODER_2_PORT", d.encoder_health[1]),
            ),
            nginx=_int_env(env, "NGINX_PORT", d.nginx),
        )

    def all(self) -> dict[str, int]:
        """Every port by a readable name, the object store's internal block included."""
        named = {
            "mariadb": self.mariadb,
            "kafka": self.kafka,
            "kafka-controller": self.kafka_controller,
            "s3": self.s3,
            "web-1": self.web[0],
            "web-2": self.web[1],
            "encoder-1": self.encoder_health[0],
            "encoder-2": self.encoder_health[1],
            "nginx": self.nginx,
        }
        for offset in range(9):
            named[f"s3-internal-{offset}"] = self.s3_internal + offset
        return named


@dataclass(frozen=True)
class StackConfig:
    """Paths and ports of one native stack."""

    stack_dir: Path = field(default_factory=lambda: REPO_ROOT / "var" / "stack")
    """Data, logs, pid files and generated configs of every service."""
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "murmur")
    """Downloads and builds shared by every stack on this machine."""
    repo_root: Path = REPO_ROOT
    """Work tree whose app, encoder and static files the stack serves."""
    ports: Ports = field(default_factory=Ports)
    startup_timeout_s: float = 90.0
    """Longest wait for one service to turn healthy."""
    stop_timeout_s: float = 30.0
    """Longest wait for a clean stop before SIGKILL."""
    port_wait_s: float = 5.0
    """Longest wait for a just-stopped process's ports to come free before a start."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StackConfig:
        env = os.environ if env is None else env
        d = cls()
        stack_dir = env.get(_PREFIX + "DIR") or str(d.stack_dir)
        # Shared with scripts/bootstrap.sh, which reads the same variable.
        cache_dir = env.get("MURMUR_CACHE_DIR") or str(d.cache_dir)
        return cls(
            stack_dir=Path(stack_dir).resolve(),
            cache_dir=Path(cache_dir).resolve(),
            ports=Ports.from_env(env),
            startup_timeout_s=float(env.get(_PREFIX + "STARTUP_TIMEOUT") or d.startup_timeout_s),
        )

    def with_ports(self, ports: Ports) -> StackConfig:
        return replace(self, ports=ports)

    @property
    def python(self) -> Path:
        """The project's interpreter, the one every app process runs on."""
        return self.repo_root / ".venv" / "bin" / "python"

    def service_dir(self, name: str) -> Path:
        return self.stack_dir / name

    def log_path(self, name: str) -> Path:
        return self.stack_dir / "logs" / f"{name}.log"

    def pid_path(self, name: str) -> Path:
        return self.stack_dir / "run" / f"{name}.pid"
