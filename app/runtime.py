"""The long-lived parts of a web process, started and stopped in one stated order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from tortoise import Tortoise

from app.bus import Bus, build_bus
from app.db import tortoise_config
from app.outbox import OutboxRelay
from app.posts.janitor import sweep_forever
from app.posts.service import PostService
from app.posts.uploads import UploadReceiver
from app.settings import Settings
from app.social.service import SocialService
from app.storage import Stores, build_stores
from realtime.fanout import Fanout
from realtime.hub import LocalHub

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    stores: Stores
    bus: Bus
    relay: OutboxRelay
    hub: LocalHub
    posts: PostService
    social: SocialService
    uploads: UploadReceiver
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


async def open_database(settings: Settings) -> None:
    # Global fallback lets handlers running in other tasks than the lifespan see the
    # connections (Tortoise keeps them in a context variable otherwise).
    await Tortoise.init(config=tortoise_config(settings.database), _enable_global_fallback=True)
    if settings.database.url.startswith("sqlite"):
        # The embedded database builds its schema directly; MySQL uses Aerich migrations.
        await Tortoise.generate_schemas(safe=True)


def secret_key(settings: Settings) -> str:
    """The configured secret, or one generated once and kept in the data folder."""
    if settings.server.secret_key:
        return settings.server.secret_key
    path = settings.server.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Runtime]:
    """Start everything a web replica needs; stop it in reverse order on exit."""
    await open_database(settings)
    stores = await build_stores(settings.storage)
    bus = build_bus(settings.bus, client_id=settings.server.replica_id)
    await bus.start()

    relay = OutboxRelay(bus, settings.bus)
    hub = LocalHub()
    runtime = Runtime(
        settings=settings,
        stores=stores,
        bus=bus,
        relay=relay,
        hub=hub,
        posts=PostService(stores, relay, settings.limits),
        social=SocialService(stores, relay),
        uploads=UploadReceiver(stores, settings.limits, settings.encoder.work_dir / "spool"),
    )

    fanout = Fanout(bus, settings.bus.events_topic, hub, stores)
    fanout_task = asyncio.create_task(fanout.run(), name="fanout")
    runtime.tasks.append(fanout_task)
    await _until_ready(fanout, fanout_task)
    runtime.tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
    runtime.tasks.append(asyncio.create_task(sweep_forever(stores), name="upload-janitor"))
    if settings.encoder.inline:
        from encoder.worker import EncoderWorker

        worker = EncoderWorker(settings, stores, bus, relay)
        runtime.tasks.append(asyncio.create_task(worker.run(), name="encoder"))

    logger.info(
        "replica %s started: database=%s storage=%s bus=%s inline_encoder=%s",
        settings.server.replica_id,
        settings.database.url.split(":")[0],
        settings.storage.backend,
        settings.bus.backend,
        settings.encoder.inline,
    )
    try:
        yield runtime
    finally:
        # Stop taking work first, then the fan-out, then the relay; then close clients.
        for task in reversed(runtime.tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await bus.stop()
        await stores.close()
        await Tortoise.close_connections()
        logger.info("replica %s stopped", settings.server.replica_id)


async def _until_ready(fanout: Fanout, task: asyncio.Task[None]) -> None:
    """Wait until the fan-out subscribed, or re-raise why it could not."""
    ready = asyncio.create_task(fanout.ready.wait())
    await asyncio.wait({ready, task}, return_when=asyncio.FIRST_COMPLETED)
    if not fanout.ready.is_set():
        ready.cancel()
        task.result()
