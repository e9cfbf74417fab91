"""The transactional outbox: bus messages written with the change they announce.

A message is first a row, inserted in the same database transaction as the post (or
status change) it describes, so it cannot be lost when the bus is down. The relay then
publishes pending rows in order and marks them sent; if the bus is unreachable it backs
off and tries again, and the rows wait.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.bus.base import Bus, BusUnavailable
from app.posts.models import OutboxMessage
from app.settings import BusSettings

logger = logging.getLogger(__name__)

JOBS = "jobs"
EVENTS = "events"

_BATCH = 100
_MAX_BACKOFF_S = 10.0
_KEEP_SENT = timedelta(hours=1)
"""Sent rows are kept this long, for inspection, then deleted."""
_PRUNE_EVERY_S = 600.0


async def enqueue(
    topic: str, key: str, payload: dict[str, Any], connection: BaseDBAsyncClient
) -> None:
    """Record a message for the relay; call inside the transaction of the change."""
    await OutboxMessage.create(topic=topic, key=key, payload=payload, using_db=connection)


class OutboxRelay:
    """Publishes outbox rows to the bus; one runs in every process that writes them."""

    def __init__(self, bus: Bus, settings: BusSettings, poll_interval_s: float = 1.0) -> None:
        self._bus = bus
        self._topics = {JOBS: settings.jobs_topic, EVENTS: settings.events_topic}
        self._poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._last_prune = 0.0

    def wake(self) -> None:
        """Publish soon: a transaction that enqueued messages has committed."""
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.5
        while True:
            try:
                await self.flush()
                if backoff > 0.5:
                    logger.info("outbox relay recovered; bus reachable again")
                backoff = 0.5
                await self._sleep(self._poll_interval_s)
            except asyncio.CancelledError:
                raise
            except BusUnavailable as exc:
                logger.warning(
                    "outbox relay: bus unavailable (%s); retrying in %.1fs", exc, backoff
                )
                await self._sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
            except Exception:
                logger.exception("outbox relay failed; retrying in %.1fs", backoff)
                await self._sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)

    async def flush(self) -> int:
        """Publish every pending row; returns how many were sent."""
        sent = 0
        async with self._lock:
            while batch_sent := await self._flush_batch():
                sent += batch_sent
        return sent

    async def _flush_batch(self) -> int:
        async with in_transaction() as connection:
            query = OutboxMessage.filter(sent_at=None).order_by("id").limit(_BATCH)
            if connection.capabilities.dialect == "mysql":
                # Several processes relay; SKIP LOCKED stops them sending a row twice.
                query = query.select_for_update(skip_locked=True)
            rows = await query.using_db(connection)

            sent_ids: list[int] = []
            failure: BusUnavailable | None = None
            for row in rows:
                try:
                    await self._bus.publish(self._topics[row.topic], row.key, row.payload)
                except BusUnavailable as exc:
                    failure = exc
                    break
                sent_ids.append(row.id)

            # Record what did go out before reporting the failure, so it is not sent twice.
            if sent_ids:
                await (
                    OutboxMessage.filter(id__in=sent_ids)
                    .using_db(connection)
                    .update(sent_at=datetime.now(UTC))
                )

        if failure is not None:
            raise failure
        if sent_ids:
            logger.debug("outbox relay published %d messages", len(sent_ids))
        await self._prune()
        return len(sent_ids)

    async def _prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < _PRUNE_EVERY_S:
            return
        self._last_prune = now
        cutoff = datetime.now(UTC) - _KEEP_SENT
        await OutboxMessage.filter(sent_at__lt=cutoff).delete()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass
        self._wake.clear()
