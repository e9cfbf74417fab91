"""Murmur's production topology run natively: the Stack and the order of its services.

The Stack starts services in dependency order, reuses any that already run, waits until
each is healthy and stops them in reverse order. The services themselves live in
stack.infra, stack.app_processes and stack.nginx.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from stack import health, process
from stack.app_processes import Encoder, WebReplica
from stack.config import StackConfig
from stack.infra import Kafka, MariaDB, ObjectStore
from stack.nginx import Nginx
from stack.service import (
    HOST,
    Service,
    ServiceState,
    StackError,
    app_env,
    media_bucket,
    s3_credentials,
)

__all__ = ["INFRA", "SERVICE_ORDER", "ServiceState", "Stack", "StackError", "resolve_names"]

logger = logging.getLogger(__name__)

SERVICE_ORDER = ("mariadb", "kafka", "s3", "web-1", "web-2", "encoder-1", "encoder-2", "nginx")
INFRA = ("mariadb", "kafka", "s3")

_GROUPS: dict[str, tuple[str, ...]] = {
    "infra": INFRA,
    "minio": ("s3",),  # the object store's name in the topology and in Compose
    "web": ("web-1", "web-2"),
    "encoder": ("encoder-1", "encoder-2"),
    "all": SERVICE_ORDER,
}


def resolve_names(names: Iterable[str] | None) -> list[str]:
    """Service names in start order, with group names (infra, web, encoder) expanded."""
    if names is None:
        return list(SERVICE_ORDER)

    wanted: set[str] = set()
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if name in _GROUPS:
            wanted.update(_GROUPS[name])
        elif name in SERVICE_ORDER:
            wanted.add(name)
        else:
            known = ", ".join([*SERVICE_ORDER, *_GROUPS])
            raise StackError(f"unknown service {name!r}; expected one of: {known}")
    return [name for name in SERVICE_ORDER if name in wanted]


class Stack:
    """The whole native topology: start, inspect and stop its services.

    Every method takes service names as listed in SERVICE_ORDER ("minio" is accepted for
    the object store). A lock file serialises starts and stops across processes, so two
    test sessions sharing a stack directory reuse one set of services.
    """

    def __init__(self, cfg: StackConfig) -> None:
        self.cfg = cfg
        self._nginx = Nginx(cfg)
        self._services: dict[str, Service] = {
            "mariadb": MariaDB(cfg),
            "kafka": Kafka(cfg),
            "s3": ObjectStore(cfg),
            "web-1": WebReplica(cfg, 1),
            "web-2": WebReplica(cfg, 2),
            "encoder-1": Encoder(cfg, 1),
            "encoder-2": Encoder(cfg, 2),
            "nginx": self._nginx,
        }
        self._lock = threading.RLock()
        self._lock_depth = 0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Stack:
        return cls(StackConfig.from_env(env))

    def up(self, only: Iterable[str] | None = None) -> list[ServiceState]:
        """Start every named service that is not running, in order; return their states."""
        names = resolve_names(only)
        with self._locked():
            migrated = False
            for name in names:
                service = self._services[name]
                if service.requires and not migrated and not self.is_running(name):
                    self._require_running(service)
                    self.migrate()
                    migrated = True
                self.start(name)
        return [self.state(name) for name in names]

    def down(self, only: Iterable[str] | None = None) -> None:
        """Stop the named services (all by default) in reverse start order."""
        names = resolve_names(only)
        with self._locked():
            for name in reversed(names):
                self.stop(name)

    def start(self, name: str) -> ServiceState:
        """Start one service, or reuse it if it already runs; wait until it is healthy."""
        service = self.service(name)
        with self._locked():
            record = process.read_pid(self.cfg.pid_path(service.name))
            if record is not None:
                logger.info("%s already running as pid %s", service.name, record.pid)
            else:
                self._require_running(service)
                record = self._spawn(service)
            self._wait_healthy(service, record)
            service.after_healthy()
        return self.state(service.name)

    def stop(self, name: str) -> bool:
        """Stop one service cleanly, SIGKILL after the deadline; True if it was running."""
        service = self.service(name)
        with self._locked():
            record = process.read_pid(self.cfg.pid_path(service.name))
            if record is None:
                return False
            clean = process.stop(
                record,
                timeout_s=self.cfg.stop_timeout_s,
                request_stop=lambda: service.request_stop(record),
            )
            if not clean:
                logger.warning(
                    "%s did not stop within %ss; killed", service.name, self.cfg.stop_timeout_s
                )
            self.cfg.pid_path(service.name).unlink(missing_ok=True)
            return True

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send sig to the service; after SIGKILL, return once the process is gone."""
        service = self.service(name)
        record = process.read_pid(self.cfg.pid_path(service.name))
        if record is None:
            raise StackError(f"{service.name} is not running, so there is nothing to signal")
        process.send(record, sig)
        if sig == signal.SIGKILL:
            process.wait_until(lambda: not process.is_running(record), 10.0)

    def migrate(self) -> None:
        """Run the app's migrations once, or say why they were skipped."""
        root = self.cfg.repo_root
        if not ((root / "app" / "migrate.py").exists() or (root / "app" / "migrate").is_dir()):
            logger.warning("app.migrate does not exist yet; skipping database migrations")
            return

        log_path = self.cfg.log_path("migrate")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            result = subprocess.run(
                [str(self.cfg.python), "-m", "app.migrate"],
                cwd=root,
                env={**os.environ, **self.env_for_app(replica_id="migrate")},
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if result.returncode != 0:
            raise StackError(
                f"migrations (python -m app.migrate) failed with exit code "
                f"{result.returncode}; last lines of {log_path}:\n{process.tail(log_path)}"
            )

    def pid(self, name: str) -> int | None:
        record = process.read_pid(self.cfg.pid_path(self.service(name).name))
        return record.pid if record else None

    def is_running(self, name: str) -> bool:
        return self.pid(name) is not None

    def is_healthy(self, name: str) -> bool:
        return self.is_running(name) and self.service(name).is_healthy()

    def address(self, name: str) -> str:
        """host:port of the service's main port."""
        return self.service(name).address

    def url(self, name: str) -> str:
        return f"http://{self.address(name)}"

    def log_path(self, name: str) -> Path:
        return self.service(name).log_path

    def state(self, name: str) -> ServiceState:
        service = self.service(name)
        pid = self.pid(name)
        return ServiceState(
            name=service.name,
            address=service.address,
            pid=pid,
            healthy=pid is not None and service.is_healthy(),
            log_path=service.log_path,
        )

    def status(self) -> list[ServiceState]:
        return [self.state(name) for name in SERVICE_ORDER]

    def service(self, name: str) -> Service:
        resolved = resolve_names([name])
        if len(resolved) != 1:
            raise StackError(f"{name!r} names a group of services {resolved}, not one")
        return self._services[resolved[0]]

    def check_nginx_config(self) -> subprocess.CompletedProcess[str]:
        """Generate the Nginx configuration and run ``nginx -t`` on it."""
        return self._nginx.check_config()

    def env_for_app(
        self, replica_id: str = "web-1", data_dir: Path | None = None
    ) -> dict[str, str]:
        """The MURMUR_* variables a process needs to use this stack's real services."""
        return app_env(self.cfg, replica_id, data_dir)

    def s3_credentials(self) -> tuple[str, str]:
        """Access and secret key of the stack's S3 server (the app's own settings)."""
        return s3_credentials()

    def media_bucket(self) -> str:
        return media_bucket()

    def _require_running(self, service: Service) -> None:
        missing = [dep for dep in service.requires if not self.is_running(dep)]
        if missing:
            wanted = ",".join([*missing, service.name])
            raise StackError(
                f"{service.name} needs {', '.join(missing)} running first; "
                f"start them together with: python -m stack up --only {wanted}"
            )

    def _spawn(self, service: Service) -> process.PidRecord:
        def busy() -> list[int]:
            return [p for p in service.ports() if not health.port_free(HOST, p)]

        # A process just killed can show as a zombie while its other threads still
        # hold its sockets, so give the ports a moment to come free.
        process.wait_until(lambda: not busy(), self.cfg.port_wait_s)
        if taken := busy():
            raise StackError(
                f"{service.name} cannot start: port(s) {taken} on {HOST} are taken by another "
                f"program; choose others with MURMUR_STACK_*_PORT"
            )

        service.prepare()
        command = service.command()
        _append_header(service.log_path, command)
        record = process.spawn(
            command,
            log_path=service.log_path,
            pid_path=self.cfg.pid_path(service.name),
            env=service.env(),
            cwd=service.cwd(),
        )
        logger.info("started %s as pid %s", service.name, record.pid)
        return record

    def _wait_healthy(self, service: Service, record: process.PidRecord) -> None:
        timeout = self.cfg.startup_timeout_s
        started = time.monotonic()
        healthy = False

        def settled() -> bool:
            nonlocal healthy
            healthy = service.is_healthy()
            return healthy or not process.is_running(record)

        process.wait_until(settled, timeout, 0.2)
        if healthy:
            logger.info("%s healthy after %.1fs", service.name, time.monotonic() - started)
            return

        if process.is_running(record):
            problem = f"did not become healthy within {timeout:.0f}s at {service.address}"
            process.stop(record, timeout_s=self.cfg.stop_timeout_s)
        else:
            problem = f"exited before becoming healthy at {service.address}"
        self.cfg.pid_path(service.name).unlink(missing_ok=True)
        tails = "\n".join(
            f"--- last lines of {path}:\n{process.tail(path)}" for path in service.diagnostic_logs
        )
        raise StackError(f"{service.name} {problem}\n{tails}")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # Re-entrant within this process (up calls start), exclusive across processes.
        with self._lock:
            if self._lock_depth > 0:
                self._lock_depth += 1
                try:
                    yield
                finally:
                    self._lock_depth -= 1
                return

            lock_path = self.cfg.pid_path("stack").with_suffix(".lock")
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._lock_depth = 1
                try:
                    yield
                finally:
                    self._lock_depth = 0
                    fcntl.flock(handle, fcntl.LOCK_UN)


def _append_header(log_path: Path, command: list[str]) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with open(log_path, "a") as log:
        log.write(f"\n=== {stamp} starting: {' '.join(command)}\n")
