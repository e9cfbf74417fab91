"""Receiving an upload: stream it to disk under a limit, identify it, store it in the buffer.

The body is spooled to a local file chunk by chunk (never whole in memory), so its kind
can be decided from its content (magic bytes, then ffprobe/Pillow) before anything reaches
the buffer bucket; only an accepted file is copied there, streamed in parts.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

from app.accounts.models import User
from app.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.posts.models import Attachment, MediaKind
from app.settings import LimitSettings
from app.storage.base import Stores
from encoder.media import (
    ACCEPTED_FORMATS,
    IMAGE_CONTAINERS,
    VIDEO_CONTAINERS,
    MediaError,
    UnsupportedMedia,
    describe,
    probe,
    sniff,
)

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 4096


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


class UploadReceiver:
    def __init__(self, stores: Stores, limits: LimitSettings, spool_dir: Path) -> None:
        self._stores = stores
        self._limits = limits
        self._spool_dir = spool_dir

    async def receive(
        self, owner: User, body: AsyncIterator[bytes], declared_size: int | None
    ) -> Attachment:
        """Store one uploaded file as an unclaimed attachment of owner."""
        largest = max(self._limits.max_image_bytes, self._limits.max_video_bytes)
        if declared_size is not None and declared_size > largest:
            raise PayloadTooLarge(
                f"Files can be at most {_mb(largest)}; this one is {_mb(declared_size)}."
            )

        started = time.perf_counter()
        self._spool_dir.mkdir(parents=True, exist_ok=True)
        spool = self._spool_dir / f"upload-{uuid.uuid4().hex}"
        try:
            container, size = await self._spool(body, spool)
            info = await asyncio.to_thread(probe, spool, 30)

            key = f"uploads/{owner.id}/{uuid.uuid4().hex}"
            await self._stores.buffer.put_file(key, spool, "application/octet-stream")
            try:
                attachment = await Attachment.create(
                    owner=owner,
                    kind=MediaKind(info.kind),
                    container=info.container,
                    buffer_key=key,
                    source_width=info.width,
                    source_height=info.height,
                    upload_size=size,
                )
            except Exception:
                await self._stores.buffer.delete(key)
                raise
        except UnsupportedMedia as exc:
            raise UnsupportedMediaType(exc.reason) from exc
        except MediaError as exc:
            raise InvalidInput(exc.reason) from exc
        finally:
            spool.unlink(missing_ok=True)

        logger.info(
            "upload stored attachment_id=%s user_id=%s kind=%s container=%s bytes=%d seconds=%.2f",
            attachment.id,
            owner.id,
            info.kind,
            container,
            size,
            time.perf_counter() - started,
        )
        return attachment

    async def _spool(self, body: AsyncIterator[bytes], spool: Path) -> tuple[str, int]:
        """Write the body to spool; returns the container sniffed from its first bytes."""
        head = b""
        container: str | None = None
        limit = max(self._limits.max_image_bytes, self._limits.max_video_bytes)
        size = 0
        with spool.open("wb") as out:
            async for chunk in body:
                size += len(chunk)
                if container is None:
                    head += chunk
                    if len(head) >= _SNIFF_BYTES:
                        container = self._identify(head)
                        limit = self._limit_for_container(container)
                if size > limit:
                    raise PayloadTooLarge(self._too_large_message(container, limit))
                await asyncio.to_thread(out.write, chunk)

        if size == 0:
            raise InvalidInput("The upload was empty: no file content arrived.")
        if container is None:
            container = self._identify(head)
            limit = self._limit_for_container(container)
            if size > limit:
                raise PayloadTooLarge(self._too_large_message(container, limit))
        return container, size

    def _identify(self, head: bytes) -> str:
        container = sniff(head)
        if container is None:
            raise UnsupportedMediaType(
                f"This file is not an image or video we can read ({describe(head)}). "
                f"Please upload {ACCEPTED_FORMATS}."
            )
        return container

    def _limit_for_container(self, container: str) -> int:
        if container in IMAGE_CONTAINERS:
            return self._limits.max_image_bytes
        return self._limits.max_video_bytes

    def _too_large_message(self, container: str | None, limit: int) -> str:
        what = "Videos" if container in VIDEO_CONTAINERS else "Images" if container else "Files"
        return f"{what} can be at most {_mb(limit)}; this file is larger."
