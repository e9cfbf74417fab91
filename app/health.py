"""Liveness and readiness probes used by the launcher, Nginx operators and compose."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response, get
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE
from tortoise import connections

from app.bus.base import Bus
from app.storage.base import Stores

logger = logging.getLogger(__name__)

_CHECK_TIMEOUT_S = 3.0


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz(replica_id: str) -> dict[str, str]:
    """Alive: the process answers."""
    return {"status": "ok", "replica": replica_id}


@get("/readyz", include_in_schema=False)
async def readyz(replica_id: str, bus: Bus, stores: Stores) -> Response[dict[str, Any]]:
    """Ready: the database, the bus and the object store all answer in time."""
    checks = {"database": _check_database, "bus": bus.check, "storage": stores.buffer.check}
    results = dict(
        zip(checks, await asyncio.gather(*(_run(c) for c in checks.values())), strict=True)
    )
    healthy = all(r == "ok" for r in results.values())
    if not healthy:
        logger.warning("not ready: %s", results)
    status = HTTP_200_OK if healthy else HTTP_503_SERVICE_UNAVAILABLE
    return Response(
        {"status": "ok" if healthy else "unavailable", "replica": replica_id, "checks": results},
        status_code=status,
    )


async def _run(check: Callable[[], Awaitable[None]]) -> str:
    try:
        await asyncio.wait_for(check(), _CHECK_TIMEOUT_S)
    except TimeoutError:
        return f"no answer within {_CHECK_TIMEOUT_S:.0f}s"
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


async def _check_database() -> None:
    await connections.get("default").execute_query("SELECT 1")
