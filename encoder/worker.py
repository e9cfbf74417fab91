"""The encoder's job loop: take a job, turn its uploads into finished media, announce it.

The media work itself is encoder.media (plain functions of files); this module moves
bytes between the stores, keeps the database in step and decides when a job is done.
A job is idempotent: outputs go to keys derived from the post and attachment ids, so a
redone job overwrites the same objects, and a post that is already ready or failed is
only tidied up.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.exceptions import DBConnectionError, OperationalError, TransactionManagementError
from tortoise.transactions import in_transaction

from app.bus.base import Bus
from app.outbox import OutboxRelay
from app.posts.events import POST_FAILED, POST_READY, enqueue_post_event
from app.posts.models import Attachment, Notification, Post, PostStatus
from app.settings import Settings
from app.storage.base import ObjectNotFound, StorageUnavailable, Stores
from encoder.avatars import AVATAR_JOB, AvatarJobs
from encoder.media import EncodedMedia, MediaError, encode

logger = logging.getLogger(__name__)

_RETRY_MAX_S = 30.0

# Errors of a service being down or slow: worth waiting out rather than failing the post.
_RETRIABLE = (
    DBConnectionError,
    OperationalError,
    TransactionManagementError,
    StorageUnavailable,
    ConnectionError,
    TimeoutError,
)


@dataclass(frozen=True)
class JobOutcome:
    post_id: int
    status: str
    """ready, failed, skipped (post gone or already finished)."""
    kinds: str
    input_bytes: int
    output_bytes: int
    seconds: float


class EncoderWorker:
    def __init__(self, settings: Settings, stores: Stores, bus: Bus, relay: OutboxRelay) -> None:
        self._settings = settings
        self._stores = stores
        self._bus = bus
        self._relay = relay
        self._work_dir = settings.encoder.work_dir
        self._avatars = AvatarJobs(settings, stores, relay)
        self.last_progress = time.monotonic()
        """Last time the loop did something; the health endpoint reports it."""

    async def run(self) -> None:
        """Consume jobs for ever; commit each only once its work is durably done."""
        topic, group = self._settings.bus.jobs_topic, self._settings.bus.encoder_group
        logger.info("encoder consuming topic=%s group=%s", topic, group)
        async for delivery in self._bus.consume_group(topic, group):
            if delivery.value.get("kind") == AVATAR_JOB:
                await self._avatar_with_retry(delivery.value)
            else:
                await self._handle_with_retry(int(delivery.value["post_id"]))
            await delivery.commit()
            self.last_progress = time.monotonic()

    async def _handle_with_retry(self, post_id: int) -> None:
        """Run the job; wait out services that are down, fail the post on anything else."""
        delay = 1.0
        while True:
            try:
                await self.handle(post_id)
                return
            except asyncio.CancelledError:
                raise
            except _RETRIABLE as exc:
                if await self._post_vanished(post_id):
                    return
                logger.warning(
                    "job post_id=%s: a service is unavailable (%s: %s); retrying in %.0fs",
                    post_id,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX_S)
            except Exception as exc:
                # A fault that a retry cannot cure must not hold up every job behind it.
                logger.exception("job post_id=%s failed unexpectedly", post_id)
                await self._fail_unexpectedly(post_id, exc)
                return

    async def _avatar_with_retry(self, job: dict[str, Any]) -> None:
        """Like a post job: wait out services that are down, give up on anything else."""
        user_id, attachment_id = int(job["user_id"]), int(job["attachment_id"])
        delay = 1.0
        while True:
            try:
                await self._avatars.handle(user_id, attachment_id)
                return
            except asyncio.CancelledError:
                raise
            except _RETRIABLE as exc:
                logger.warning(
                    "avatar job user_id=%s: a service is unavailable (%s: %s); retrying in %.0fs",
                    user_id,
                    type(exc).__name__,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _RETRY_MAX_S)
            except Exception:
                logger.exception("avatar job user_id=%s failed unexpectedly", user_id)
                try:
                    await self._avatars.give_up(user_id, attachment_id)
                except Exception:
                    logger.exception("could not report the failed avatar job user_id=%s", user_id)
                return

    async def _fail_unexpectedly(self, post_id: int, exc: Exception) -> None:
        post = await Post.get_or_none(id=post_id)
        if post is None:
            await self._remove_orphans(post_id)
            return
        reason = (
            "The uploaded file went missing before it could be processed. Please post it again."
            if isinstance(exc, ObjectNotFound)
            else "Something went wrong while processing this post. Please try posting it again."
        )
        await self._finish(post, PostStatus.FAILED, reason)

    async def _post_vanished(self, post_id: int) -> bool:
        """True (after tidying) if the post was deleted while its job ran."""
        try:
            if await Post.exists(id=post_id):
                return False
        except Exception:
            return False  # the database itself is down: keep retrying
        logger.info("job post_id=%s: post deleted during encoding; outputs removed", post_id)
        await self._remove_orphans(post_id)
        return True

    async def handle(self, post_id: int) -> JobOutcome:
        started = time.perf_counter()
        post = await Post.get_or_none(id=post_id).prefetch_related("attachments")
        if post is None or post.status != PostStatus.PROCESSING:
            await self._tidy_finished(post_id, post)
            return self._log(
                JobOutcome(post_id, "skipped", "-", 0, 0, time.perf_counter() - started)
            )

        attachments = list(post.attachments)
        logger.info("job started post_id=%s kinds=%s", post_id, _kinds(attachments))
        job_dir = self._work_dir / f"post-{post_id}"
        try:
            input_bytes, output_bytes = await self._encode_all(post_id, attachments, job_dir)
        except MediaError as exc:
            await self._finish(post, PostStatus.FAILED, exc.reason)
            outcome = JobOutcome(
                post_id, "failed", _kinds(attachments), 0, 0, time.perf_counter() - started
            )
            logger.warning("job post_id=%s failed: %s", post_id, exc.reason)
            return self._log(outcome)
        finally:
            shutil.rmtree(job_dir, ignore_errors=True)

        await self._finish(post, PostStatus.READY, "")
        outcome = JobOutcome(
            post_id,
            "ready",
            _kinds(attachments),
            input_bytes,
            output_bytes,
            time.perf_counter() - started,
        )
        return self._log(outcome)

    async def _encode_all(
        self, post_id: int, attachments: list[Attachment], job_dir: Path
    ) -> tuple[int, int]:
        input_bytes = output_bytes = 0
        for attachment in attachments:
            if attachment.media_key:
                continue  # done by an earlier attempt of this job
            work = job_dir / str(attachment.id)
            work.mkdir(parents=True, exist_ok=True)
            source = work / "input"
            input_bytes += await self._stores.buffer.download_to(attachment.buffer_key, source)

            encoded = await asyncio.to_thread(
                encode, source, work / "out", self._settings.encoder.ffmpeg_timeout_s
            )
            await self._store_outputs(post_id, attachment, encoded)
            output_bytes += encoded.byte_size
        return input_bytes, output_bytes

    async def _store_outputs(
        self, post_id: int, attachment: Attachment, encoded: EncodedMedia
    ) -> None:
        # Keys depend only on ids, never on the uploaded name, so a redo overwrites in place.
        prefix = f"posts/{post_id}/{attachment.id}"
        media_key = f"{prefix}/media{encoded.main_path.suffix}"
        thumb_key = f"{prefix}/thumb{encoded.thumb_path.suffix}"
        await self._stores.media.put_file(media_key, encoded.main_path, encoded.mime_type)
        await self._stores.media.put_file(thumb_key, encoded.thumb_path, encoded.thumb_mime_type)

        attachment.media_key = media_key
        attachment.thumb_key = thumb_key
        attachment.mime_type = encoded.mime_type
        attachment.width = encoded.width
        attachment.height = encoded.height
        attachment.duration_s = encoded.duration_s
        attachment.byte_size = encoded.byte_size
        await attachment.save(
            update_fields=[
                "media_key",
                "thumb_key",
                "mime_type",
                "width",
                "height",
                "duration_s",
                "byte_size",
            ]
        )

    async def _finish(self, post: Post, status: PostStatus, reason: str) -> None:
        """Mark the post, queue its event and the author's notification, in one transaction."""
        kind = POST_READY if status == PostStatus.READY else POST_FAILED
        text = (
            "Your post is ready."
            if status == PostStatus.READY
            else f"Your post could not be published: {reason}"
        )
        author_id: int = post.author_id  # type: ignore[attr-defined]

        async with in_transaction() as connection:
            updated = (
                await Post.filter(id=post.id, status=PostStatus.PROCESSING)
                .using_db(connection)
                .update(status=status, failure_reason=reason[:300])
            )
            if updated:
                note = await Notification.create(
                    user_id=author_id, kind=kind, post_id=post.id, text=text, using_db=connection
                )
                notification = {"id": note.id, "kind": kind, "text": text}
                await enqueue_post_event(
                    kind, post.id, author_id, connection, reason=reason, notification=notification
                )
        self._relay.wake()

        if not updated:
            # Deleted (or finished by another worker) while we encoded: drop our outputs.
            await self._tidy_finished(post.id, await Post.get_or_none(id=post.id))
            return
        await self._remove_buffered(post.id)

    async def _tidy_finished(self, post_id: int, post: Post | None) -> None:
        if post is None:
            await self._remove_orphans(post_id)
            return
        await self._remove_buffered(post_id)

    async def _remove_buffered(self, post_id: int) -> None:
        for attachment in await Attachment.filter(post_id=post_id):
            await self._stores.buffer.delete(attachment.buffer_key)

    async def _remove_orphans(self, post_id: int) -> None:
        for key in await self._stores.media.list_keys(f"posts/{post_id}/"):
            await self._stores.media.delete(key)

    def _log(self, outcome: JobOutcome) -> JobOutcome:
        logger.info(
            "job post_id=%s kinds=%s outcome=%s in_bytes=%d out_bytes=%d seconds=%.2f",
            outcome.post_id,
            outcome.kinds,
            outcome.status,
            outcome.input_bytes,
            outcome.output_bytes,
            outcome.seconds,
        )
        return outcome


def _kinds(attachments: list[Attachment]) -> str:
    return ",".join(a.kind.value for a in attachments) or "-"
