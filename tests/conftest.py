"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.murmur_client import client_factory
from tests.servers import EmbeddedServer


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated test media, made once per run."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def embedded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """Murmur on the embedded defaults (SQLite, local folder, in-process bus and encoder)."""
    server = EmbeddedServer(
        tmp_path_factory.mktemp("embedded"),
        {
            "MURMUR_MAX_IMAGE_BYTES": str(5 * 1024 * 1024),
            "MURMUR_MAX_VIDEO_BYTES": str(40 * 1024 * 1024),
        },
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def make_client(embedded_server: EmbeddedServer) -> AsyncIterator[object]:
    """Factory of signed-up users' clients against the embedded server."""
    async with client_factory(embedded_server.base_url) as make:
        yield make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by folder: the topology and browser suites need the real stack."""
    for item in items:
        parts = item.path.parts
        if "topology" in parts or "browser" in parts:
            item.add_marker(pytest.mark.stack)
        if "browser" in parts:
            item.add_marker(pytest.mark.browser)
