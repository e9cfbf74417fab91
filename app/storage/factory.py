"""Builds the configured object-store backend."""

from __future__ import annotations

from app.settings import StorageSettings
from app.storage.base import Stores


async def build_stores(settings: StorageSettings) -> Stores:
    """Open the buffer and media buckets, creating them when missing."""
    if settings.backend == "local":
        from app.storage.local import LocalObjectStore

        return Stores(
            buffer=LocalObjectStore(settings.local_root, settings.buffer_bucket),
            media=LocalObjectStore(settings.local_root, settings.media_bucket),
            media_url_prefix=settings.media_url_prefix,
        )

    if settings.backend == "s3":
        from app.storage.s3 import S3ObjectStore

        buffer = S3ObjectStore(settings, settings.buffer_bucket)
        media = S3ObjectStore(settings, settings.media_bucket)
        await buffer.ensure_bucket(public_read=False)
        await media.ensure_bucket(public_read=True)
        return Stores(buffer=buffer, media=media, media_url_prefix=settings.media_url_prefix)

    raise ValueError(f"MURMUR_STORAGE_BACKEND must be 'local' or 's3', got {settings.backend!r}")
