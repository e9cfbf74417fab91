"""Probes that tell whether a service answers, each quick and free of side effects."""

from __future__ import annotations

import asyncio
import logging
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

logger = logging.getLogger(__name__)


def tcp_open(host: str, port: int, timeout_s: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def port_free(host: str, port: int) -> bool:
    """True if nothing listens on the port, so a new service can bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    """True if a GET of url answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def mariadb_query(socket_path: Path, sql: str, timeout_s: float = 5.0) -> str | None:
    """Run sql as root over the Unix socket; its tab-separated output, or None on failure."""
    try:
        result = subprocess.run(
            [
                "mariadb",
                "--no-defaults",
                f"--socket={socket_path}",
                "--user=root",
                "--default-character-set=utf8mb4",
                "--batch",
                "--skip-column-names",
                "--execute",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if result.returncode != 0:
        logger.debug("mariadb query failed: %s", result.stderr.strip())
        return None
    return result.stdout


def kafka_metadata(bootstrap: str, timeout_s: float = 5.0) -> bool:
    """True if the broker answers a metadata request and names a controller."""
    if not tcp_open(*_host_port(bootstrap)):
        return False
    try:
        return asyncio.run(asyncio.wait_for(_describe_cluster(bootstrap), timeout_s))
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
        logger.debug("kafka metadata request to %s failed: %r", bootstrap, exc)
        return False


async def _describe_cluster(bootstrap: str) -> bool:
    # Imported here so the launcher's other commands work before `uv sync` has run.
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
    finally:
        await admin.close()
    return cluster.get("controller_id", -1) >= 0 and bool(cluster.get("brokers"))


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)
