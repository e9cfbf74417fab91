"""The production topology (MariaDB, Kafka, S3, two replicas, two encoders, Nginx) for tests.

Started through the launcher once per run (reused if already up). Tests that stop or kill
a service bring it back before they end, so later tests find the whole topology.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aioboto3
import asyncmy
import httpx
import pytest

from stack.services import Stack
from tests.murmur_client import MurmurClient, client_factory


def in_thread(function: Callable[..., Any], *args: Any) -> Any:
    # The launcher runs event loops of its own for health probes; keep them off ours.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args).result()


@pytest.fixture(scope="session")
def topology() -> Stack:
    stack = Stack.from_env()
    in_thread(stack.up)
    return stack


@pytest.fixture(scope="session")
def nginx_url(topology: Stack) -> str:
    return topology.url("nginx")


@pytest.fixture
async def through_nginx(nginx_url: str) -> AsyncIterator[Callable[[], Awaitable[MurmurClient]]]:
    """Factory of signed-up users talking to Murmur through Nginx."""
    async with client_factory(nginx_url) as make:
        yield make


async def replica_of(client: MurmurClient) -> str:
    """The replica Nginx sends this client's requests to (its session cookie decides)."""
    response = await client.http.get("/healthz")
    return str(response.json()["replica"])


async def user_on(
    make: Callable[[], Awaitable[MurmurClient]], replica: str, tries: int = 40
) -> MurmurClient:
    """A new user whose session Nginx pins to the given replica."""
    for _ in range(tries):
        client = await make()
        if await replica_of(client) == replica:
            return client
    raise AssertionError(f"no session hashed to {replica} in {tries} sign-ups")


@pytest.fixture
def s3(topology: Stack) -> Callable[[str, str], Awaitable[list[str]]]:
    """List keys under a prefix of a bucket, straight from the S3 server."""
    endpoint = topology.env_for_app()["MURMUR_S3_ENDPOINT"]
    access, secret = topology.s3_credentials()

    async def list_keys(bucket: str, prefix: str) -> list[str]:
        session = aioboto3.Session()
        async with session.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=access,
            aws_secret_access_key=secret,
            region_name="us-east-1",
        ) as client:
            response = await client.list_objects_v2(Bucket=bucket, Prefix=prefix)
            return sorted(item["Key"] for item in response.get("Contents", []))

    return list_keys


async def wait_until(condition: Callable[[], Awaitable[bool]], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.2)


async def query_one(topology: Stack, sql: str, *args: Any) -> tuple[Any, ...]:
    """One row of a query run straight on the stack's MariaDB, bypassing Murmur."""
    url = httpx.URL(topology.env_for_app()["MURMUR_DATABASE_URL"])
    connection = await asyncmy.connect(
        host=url.host, port=url.port, user=url.username, password=url.password,
        database=url.path.strip("/"), charset="utf8mb4",
    )  # fmt: skip
    try:
        async with connection.cursor() as cursor:
            await cursor.execute(sql, args)
            return tuple(await cursor.fetchone())
    finally:
        connection.close()
