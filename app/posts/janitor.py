"""Removes uploads that never became part of a post, so the buffer bucket does not fill up."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from app.posts.models import Attachment
from app.storage.base import Stores

logger = logging.getLogger(__name__)

ABANDONED_AFTER = timedelta(hours=24)
"""An upload not attached to a post within this time is considered given up."""
SWEEP_EVERY_S = 3600.0


async def remove_abandoned_uploads(stores: Stores, older_than: timedelta = ABANDONED_AFTER) -> int:
    """Delete unclaimed uploads created before now - older_than; returns how many."""
    cutoff = datetime.now(UTC) - older_than
    abandoned = await Attachment.filter(post_id=None, created_at__lt=cutoff).limit(500)
    for upload in abandoned:
        # The object first: a row without its object is harmless, the reverse leaks.
        await stores.buffer.delete(upload.buffer_key)
        await Attachment.filter(id=upload.id, post_id=None).delete()
    if abandoned:
        logger.info("removed %d abandoned uploads older than %s", len(abandoned), older_than)
    return len(abandoned)


async def sweep_forever(stores: Stores) -> None:
    """Run the sweep every hour; every replica may run it, deletions are idempotent."""
    while True:
        try:
            await remove_abandoned_uploads(stores)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("sweeping abandoned uploads failed; trying again later", exc_info=True)
        await asyncio.sleep(SWEEP_EVERY_S)
