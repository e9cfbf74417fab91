"""An object store in a local folder: the embedded default."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from app.storage.base import ObjectNotFound, ObjectTooLarge

logger = logging.getLogger(__name__)

_CHUNK = 1024 * 1024


class LocalObjectStore:
    """One bucket as a folder; keys map to relative paths under it.

    Writes go to a temporary file that is renamed into place, so a reader never sees a
    half-written object and a failed upload leaves nothing behind.
    """

    def __init__(self, root: Path, bucket: str) -> None:
        self.bucket = bucket
        self.root = (root / bucket).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = root.resolve() / ".tmp"
        self._tmp.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        """The file that holds key; refuses keys that would escape the bucket."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"invalid object key {key!r} for bucket {self.bucket!r}")
        return path

    async def put_stream(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        content_type: str,
        max_bytes: int | None = None,
    ) -> int:
        target = self.path_of(key)
        tmp = self._tmp / uuid.uuid4().hex
        size = 0
        try:
            with tmp.open("wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ObjectTooLarge(max_bytes)
                    await asyncio.to_thread(out.write, chunk)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return size

    async def put_file(self, key: str, path: Path, content_type: str) -> int:
        target = self.path_of(key)
        tmp = self._tmp / uuid.uuid4().hex
        try:
            await asyncio.to_thread(shutil.copyfile, path, tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return target.stat().st_size

    async def download_to(self, key: str, path: Path) -> int:
        source = self.path_of(key)
        if not source.is_file():
            raise ObjectNotFound(f"{self.bucket}/{key}")
        await asyncio.to_thread(shutil.copyfile, source, path)
        return path.stat().st_size

    async def open(self, key: str) -> AsyncIterator[bytes]:
        source = self.path_of(key)
        try:
            handle = source.open("rb")
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"{self.bucket}/{key}") from exc
        with handle:
            while chunk := await asyncio.to_thread(handle.read, _CHUNK):
                yield chunk

    async def head(self, key: str) -> int | None:
        path = self.path_of(key)
        return path.stat().st_size if path.is_file() else None

    async def delete(self, key: str) -> None:
        path = self.path_of(key)
        path.unlink(missing_ok=True)
        self._prune_empty_dirs(path.parent)

    async def list_keys(self, prefix: str = "") -> list[str]:
        keys = [p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()]
        return sorted(k for k in keys if k.startswith(prefix))

    async def check(self) -> None:
        if not self.root.is_dir():
            raise OSError(f"bucket folder {self.root} is missing")

    async def close(self) -> None:
        return None

    def _prune_empty_dirs(self, folder: Path) -> None:
        while folder != self.root and folder.is_relative_to(self.root):
            try:
                folder.rmdir()
            except OSError:
                return
            folder = folder.parent
