"""Murmur's own processes: the web replicas (uvicorn) and the encoder workers."""

from __future__ import annotations

import os
from pathlib import Path

from stack import health, install
from stack.config import StackConfig
from stack.service import HOST, Service, StackError, app_env


class _AppProcess(Service):
    """A process of Murmur itself, run from the work tree on the project's interpreter."""

    required_file = ""
    requires = ("mariadb", "kafka", "s3")

    def __init__(self, cfg: StackConfig, index: int) -> None:
        super().__init__(cfg)
        self.index = index

    def prepare(self) -> None:
        if not (self.cfg.repo_root / self.required_file).exists():
            raise StackError(
                f"{self.name} needs {self.required_file}, which does not exist yet; "
                "start the infrastructure alone with --only infra"
            )
        install.ensure_debian_packages(["ffmpeg"])
        self.home.mkdir(parents=True, exist_ok=True)

    def cwd(self) -> Path:
        return self.cfg.repo_root


class WebReplica(_AppProcess):
    required_file = "app/main.py"

    def __init__(self, cfg: StackConfig, index: int) -> None:
        super().__init__(cfg, index)
        self.name = f"web-{index}"

    @property
    def port(self) -> int:
        return self.cfg.ports.web[self.index - 1]

    def command(self) -> list[str]:
        return [
            str(self.cfg.python),
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--proxy-headers",
            "--forwarded-allow-ips",
            HOST,
            # Open websockets would otherwise hold a stopping replica up indefinitely.
            "--timeout-graceful-shutdown",
            "10",
        ]

    def env(self) -> dict[str, str]:
        env = app_env(self.cfg, self.name)
        env.update({"MURMUR_HOST": HOST, "MURMUR_PORT": str(self.port)})
        return {**os.environ, **env}

    def is_healthy(self) -> bool:
        base = f"http://{self.address}"
        return health.http_ok(f"{base}/healthz") and health.http_ok(f"{base}/readyz")


class Encoder(_AppProcess):
    required_file = "encoder/__main__.py"

    def __init__(self, cfg: StackConfig, index: int) -> None:
        super().__init__(cfg, index)
        self.name = f"encoder-{index}"

    @property
    def port(self) -> int:
        return self.cfg.ports.encoder_health[self.index - 1]

    def command(self) -> list[str]:
        return [str(self.cfg.python), "-m", "encoder"]

    def env(self) -> dict[str, str]:
        env = app_env(self.cfg, self.name)
        env["MURMUR_ENCODER_HEALTH_PORT"] = str(self.port)
        return {**os.environ, **env}

    def is_healthy(self) -> bool:
        return health.http_ok(f"http://{self.address}/healthz")
