"""Fixtures for the backend contract tests: real services and unique names per run.

Real backends come from the launcher (``stack``), started if they are not running. To
point the suite at servers started some other way, set MURMUR_TEST_KAFKA_BOOTSTRAP,
MURMUR_TEST_S3_ENDPOINT (with MURMUR_TEST_S3_ACCESS_KEY / _SECRET_KEY) and
MURMUR_TEST_MYSQL_URL (an account allowed to create databases); each one set replaces the
launcher for that service.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

RUN_ID = uuid.uuid4().hex[:8]
"""Tags every topic, group, bucket and database this run makes, so runs never mix."""

_counter = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test and no other run uses (lower case, S3- and Kafka-safe)."""
    return f"{prefix}-{RUN_ID}-{next(_counter)}"


@dataclass(frozen=True)
class RealServices:
    kafka_bootstrap: str
    s3_endpoint: str
    s3_access_key: str
    s3_secret_key: str
    mysql_url: str
    """mysql://user:password@host:port/ of an account that may create murmur_* databases."""


def _from_launcher(names: list[str]) -> dict[str, str]:
    """Endpoints of the launcher's services, started first if they are not running."""
    # Imported here: the launcher is needed only when real services are.
    from stack.services import Stack

    stack = Stack.from_env()
    stack.up(only=names)
    app_env = stack.env_for_app()
    database_url = app_env["MURMUR_DATABASE_URL"]
    return {
        "kafka_bootstrap": app_env["MURMUR_KAFKA_BOOTSTRAP"],
        "s3_endpoint": app_env["MURMUR_S3_ENDPOINT"],
        "s3_access_key": app_env["MURMUR_S3_ACCESS_KEY"],
        "s3_secret_key": app_env["MURMUR_S3_SECRET_KEY"],
        "mysql_url": database_url[: database_url.rindex("/") + 1],
    }


@pytest.fixture(scope="session")
def real_services() -> RealServices:
    env = os.environ
    overrides = {
        "kafka": "MURMUR_TEST_KAFKA_BOOTSTRAP",
        "s3": "MURMUR_TEST_S3_ENDPOINT",
        "mariadb": "MURMUR_TEST_MYSQL_URL",
    }
    missing = [name for name, var in overrides.items() if not env.get(var)]
    launched: dict[str, str] = {}
    if missing:
        # In a thread of its own: the launcher's health probes run their own event loop,
        # which cannot start inside the test session's running one.
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            launched = pool.submit(_from_launcher, missing).result()

    return RealServices(
        kafka_bootstrap=env.get("MURMUR_TEST_KAFKA_BOOTSTRAP") or launched["kafka_bootstrap"],
        s3_endpoint=env.get("MURMUR_TEST_S3_ENDPOINT") or launched["s3_endpoint"],
        s3_access_key=env.get("MURMUR_TEST_S3_ACCESS_KEY")
        or launched.get("s3_access_key", "murmur"),
        s3_secret_key=env.get("MURMUR_TEST_S3_SECRET_KEY")
        or launched.get("s3_secret_key", "murmur-secret"),
        mysql_url=env.get("MURMUR_TEST_MYSQL_URL") or launched["mysql_url"],
    )


class Inbox:
    """Items collected by a background consumer, with a way to wait for them."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._changed = asyncio.Condition()

    async def put(self, item: Any) -> None:
        async with self._changed:
            self.items.append(item)
            self._changed.notify_all()

    async def arrived(self, ready: Callable[[list[Any]], bool], within_s: float) -> bool:
        """Wait until ready(items) holds; False if it still does not after within_s seconds."""
        try:
            async with asyncio.timeout(within_s):
                async with self._changed:
                    await self._changed.wait_for(lambda: ready(self.items))
        except TimeoutError:
            return False
        return True

    async def wait_until(self, ready: Callable[[list[Any]], bool], within_s: float) -> None:
        """Wait until ready(items) holds; fail the test after within_s seconds."""
        if not await self.arrived(ready, within_s):
            pytest.fail(f"condition not met within {within_s} s; collected {self.items!r}")

    async def wait_for_count(self, count: int, within_s: float) -> None:
        await self.wait_until(lambda items: len(items) >= count, within_s)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Deadline:
    """Measures how long a block took, for asserting bounded failures."""

    def __enter__(self) -> Deadline:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.monotonic() - self.start
