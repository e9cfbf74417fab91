"""The object-store interface every backend implements.

One ``ObjectStore`` is one bucket. Domain code receives a ``Stores`` pair (buffer and
media) and never imports a concrete backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable


class ObjectNotFound(Exception):
    """The key does not exist in the bucket."""


class StorageUnavailable(Exception):
    """The object store could not be reached or refused the operation."""


class ObjectTooLarge(Exception):
    """A streamed upload went past its byte limit; nothing was kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"object exceeds the limit of {limit} bytes")
        self.limit = limit


@runtime_checkable
class ObjectStore(Protocol):
    """One bucket of objects addressed by key."""

    bucket: str

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> int:
        """Store the chunks under key without holding them all in memory.

        Returns the byte size. Raises ObjectTooLarge once more than max_bytes arrive, in
        which case nothing is left under key.
        """
        ...

    async def put_file(self, key: str, path: Path, content_type: str) -> int:
        """Store a local file under key; returns its byte size."""
        ...

    async def download_to(self, key: str, path: Path) -> int:
        """Write the object to a local file; returns its byte size."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the object's bytes. Raises ObjectNotFound on first iteration."""
        ...

    async def head(self, key: str) -> int | None:
        """Byte size of the object, or None if it does not exist."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    async def list_keys(self, prefix: str = "") -> list[str]:
        """Keys under prefix, sorted."""
        ...

    async def check(self) -> None:
        """Raise if the bucket cannot be reached (used by /readyz)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


@dataclass
class Stores:
    """The two buckets Murmur uses."""

    buffer: ObjectStore
    media: ObjectStore
    media_url_prefix: str

    def media_url(self, key: str) -> str:
        """URL path a browser fetches a finished media object from."""
        return f"{self.media_url_prefix.rstrip('/')}/{key}"

    async def close(self) -> None:
        await self.buffer.close()
        await self.media.close()
