"""Nginx, the load balancer, and filling in nginx/nginx.conf, the template the launcher
and Docker Compose share.

Placeholders are ``${UPPER_CASE}`` names. Only those are replaced, exactly as envsubst does
when given the list of names, so Nginx's own ``$variables`` stay as they are.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Mapping
from pathlib import Path

from stack import health, install, process
from stack.config import REPO_ROOT
from stack.service import HOST, Service, media_bucket

TEMPLATE = REPO_ROOT / "nginx" / "nginx.conf"

_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


def placeholders(template: str) -> set[str]:
    """Names the template expects, comment lines excluded."""
    code = "\n".join(line.split("#", 1)[0] for line in template.splitlines())
    return set(_PLACEHOLDER.findall(code))


def render(values: Mapping[str, str], template_path: Path = TEMPLATE) -> str:
    """The template with every placeholder filled; fails naming any value missing."""
    template = template_path.read_text()
    expected = placeholders(template)

    missing = sorted(expected - values.keys())
    if missing:
        raise KeyError(f"{template_path} expects values for {missing}, got {sorted(values)}")

    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


class Nginx(Service):
    name = "nginx"

    @property
    def port(self) -> int:
        return self.cfg.ports.nginx

    @property
    def conf_path(self) -> Path:
        return self.home / "nginx.conf"

    @property
    def diagnostic_logs(self) -> list[Path]:
        return [self.log_path, self.home / "logs" / "error.log"]

    def prepare(self) -> None:
        install.ensure_debian_packages(["nginx"])
        for sub in ("logs", "run"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        self.conf_path.write_text(render(self.template_values()))

    def template_values(self) -> dict[str, str]:
        ports = self.cfg.ports
        return {
            "NGINX_LISTEN_PORT": f"{HOST}:{ports.nginx}",
            "NGINX_RUN_DIR": str(self.home / "run"),
            "NGINX_LOG_DIR": str(self.home / "logs"),
            "WEB_1_ADDR": f"{HOST}:{ports.web[0]}",
            "WEB_2_ADDR": f"{HOST}:{ports.web[1]}",
            "S3_ADDR": f"{HOST}:{ports.s3}",
            "MEDIA_BUCKET": media_bucket(),
            "STATIC_ROOT": str(self.cfg.repo_root / "frontend" / "static"),
        }

    def command(self) -> list[str]:
        return self._nginx_args()

    def check_config(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the generated configuration."""
        self.prepare()
        return subprocess.run(
            [*self._nginx_args(), "-t"], capture_output=True, text=True, check=False
        )

    def is_healthy(self) -> bool:
        return health.http_ok(f"http://{self.address}/nginx-healthz")

    def request_stop(self, record: process.PidRecord) -> None:
        # QUIT lets workers finish the requests they are serving.
        process.send(record, signal.SIGQUIT)

    def _nginx_args(self) -> list[str]:
        return [
            "nginx",
            "-p",
            f"{self.home}/",
            "-e",
            str(self.home / "logs" / "error.log"),
            "-c",
            str(self.conf_path),
        ]
