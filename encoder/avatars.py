"""Avatar jobs: an uploaded photo becomes a user's square profile picture.

A job ({"kind": "avatar", "user_id", "attachment_id"}) shares the jobs topic with post
jobs. Outputs go to keys derived from the user and upload ids, so a redone job
overwrites the same objects; a job whose upload is no longer the user's latest choice
is dropped, its outputs removed.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from pathlib import Path

from tortoise.transactions import in_transaction

from app.accounts.models import User
from app.outbox import OutboxRelay
from app.posts.models import Attachment
from app.settings import Settings
from app.social import notifications
from app.social.avatars import SIZES, avatar_object_key, avatar_prefix
from app.social.events import (
    USER_NOTIFIED,
    USER_UPDATED,
    enqueue_social_event,
    notification_payload,
)
from app.storage.base import ObjectNotFound, Stores
from encoder.media import MediaError, encode_avatar

logger = logging.getLogger(__name__)

AVATAR_JOB = "avatar"


class AvatarJobs:
    def __init__(self, settings: Settings, stores: Stores, relay: OutboxRelay) -> None:
        self._stores = stores
        self._relay = relay
        self._work_dir = settings.encoder.work_dir

    async def handle(self, user_id: int, attachment_id: int) -> str:
        """Crop, store and announce one avatar; returns the outcome for the job's log line."""
        started = time.perf_counter()
        user = await User.get_or_none(id=user_id)
        upload = await Attachment.get_or_none(id=attachment_id, owner_id=user_id, post_id=None)
        if user is None or upload is None or user.avatar_pending_id != attachment_id:
            outcome = "skipped"  # superseded, removed, or claimed by a post meanwhile
        else:
            outcome = await self._make(user, upload)
        logger.info(
            "job avatar user_id=%s attachment_id=%s outcome=%s seconds=%.2f",
            user_id,
            attachment_id,
            outcome,
            time.perf_counter() - started,
        )
        return outcome

    async def give_up(self, user_id: int, attachment_id: int) -> None:
        """After an unexpected fault: tell the user, rather than leave the choice pending."""
        user = await User.get_or_none(id=user_id)
        upload = await Attachment.get_or_none(id=attachment_id, owner_id=user_id)
        if user is not None and upload is not None:
            await self._fail(user, upload, "something went wrong on our side; please try again")

    async def _make(self, user: User, upload: Attachment) -> str:
        work = self._work_dir / f"avatar-{user.id}-{upload.id}"
        prefix = avatar_prefix(user.id, upload.id)
        try:
            work.mkdir(parents=True, exist_ok=True)
            source = work / "input"
            await self._stores.buffer.download_to(upload.buffer_key, source)
            outputs = await asyncio.to_thread(encode_avatar, source, work / "out", SIZES)
            await self._store(prefix, outputs)
        except MediaError as exc:
            await self._fail(user, upload, exc.reason)
            return "failed"
        except ObjectNotFound:
            await self._fail(user, upload, "the uploaded file went missing; please upload it again")
            return "failed"
        finally:
            shutil.rmtree(work, ignore_errors=True)

        previous = user.avatar_key
        async with in_transaction() as connection:
            updated = (
                await User.filter(id=user.id, avatar_pending_id=upload.id)
                .using_db(connection)
                .update(avatar_key=prefix, avatar_pending_id=None)
            )
            if updated:
                await enqueue_social_event(USER_UPDATED, user.id, connection, user_id=user.id)
        self._relay.wake()

        if not updated:
            # Another picture was chosen while this one was cropped: it wins.
            await self._remove_prefix(prefix)
            return "skipped"
        await self._discard_upload(upload)
        if previous and previous != prefix:
            await self._remove_prefix(previous)
        return "ready"

    async def _store(self, prefix: str, outputs: dict[int, Path]) -> None:
        for size, path in outputs.items():
            await self._stores.media.put_file(avatar_object_key(prefix, size), path, "image/webp")

    async def _fail(self, user: User, upload: Attachment, reason: str) -> None:
        async with in_transaction() as connection:
            cleared = (
                await User.filter(id=user.id, avatar_pending_id=upload.id)
                .using_db(connection)
                .update(avatar_pending_id=None)
            )
            if cleared:
                note = await notifications.notify(
                    user.id,
                    notifications.AVATAR_FAILED,
                    f"Your new profile picture could not be used: {reason}",
                    connection,
                )
            if cleared and note is not None:
                await enqueue_social_event(
                    USER_NOTIFIED,
                    user.id,
                    connection,
                    user_id=user.id,
                    notification=notification_payload(note),
                )
        self._relay.wake()
        await self._discard_upload(upload)
        logger.warning("avatar user_id=%s attachment_id=%s failed: %s", user.id, upload.id, reason)

    async def _discard_upload(self, upload: Attachment) -> None:
        """The upload was only a vehicle for the picture: its row and original go."""
        await Attachment.filter(id=upload.id, post_id=None).delete()
        await self._stores.buffer.delete(upload.buffer_key)

    async def _remove_prefix(self, prefix: str) -> None:
        for key in await self._stores.media.list_keys(prefix + "/"):
            await self._stores.media.delete(key)
