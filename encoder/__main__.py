"""`python -m encoder`: one encoder worker, a member of the Kafka consumer group."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from tortoise import Tortoise

from app.bus import build_bus
from app.logs import configure_logging
from app.outbox import OutboxRelay
from app.runtime import open_database
from app.settings import get_settings
from app.storage import build_stores
from encoder.health import serve_health
from encoder.worker import EncoderWorker

logger = logging.getLogger("encoder")


async def main() -> None:
    settings = get_settings()
    name = f"encoder-{settings.encoder.health_port or 'local'}"
    await open_database(settings)
    stores = await build_stores(settings.storage)
    bus = build_bus(settings.bus, client_id=name)
    await bus.start()

    relay = OutboxRelay(bus, settings.bus)
    worker = EncoderWorker(settings, stores, bus, relay)
    tasks = [
        asyncio.create_task(relay.run(), name="outbox-relay"),
        asyncio.create_task(worker.run(), name="worker"),
    ]
    health = (
        await serve_health(settings.encoder.health_port, worker)
        if settings.encoder.health_port
        else None
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    logger.info("encoder %s started", name)

    # A job interrupted here is not committed, so another worker redoes it.
    done, _ = await asyncio.wait(
        [*tasks, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
    )
    for task in reversed(tasks):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
    if health is not None:
        health.close()
    await bus.stop()
    await stores.close()
    await Tortoise.close_connections()
    for task in done:
        if task in tasks and task.exception():
            raise task.exception()  # type: ignore[misc]
    logger.info("encoder %s stopped", name)


if __name__ == "__main__":
    configure_logging()
    asyncio.run(main())
