"""Serves finished media from the local object store, with HTTP range support.

Only used on the embedded default; with S3, Nginx proxies the media bucket instead.
Browsers need ranges to seek in videos.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.response import Stream

from app.storage.base import Stores

_RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 256 * 1024
_CACHE = "public, max-age=31536000, immutable"


@get("/media/{key:path}", include_in_schema=False)
async def media_file(request: Request, key: str, stores: Stores) -> Response[bytes] | Stream:
    path = _local_path(stores, key.lstrip("/"))
    size = path.stat().st_size
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Accept-Ranges": "bytes", "Cache-Control": _CACHE}

    wanted = _parse_range(request.headers.get("range"), size)
    if wanted is None:
        headers["Content-Length"] = str(size)
        return Stream(_read(path, 0, size), media_type=content_type, headers=headers)
    if wanted == "unsatisfiable":
        return Response(b"", status_code=416, headers={"Content-Range": f"bytes */{size}"})

    start, end = wanted
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1)
    return Stream(
        _read(path, start, end + 1), status_code=206, media_type=content_type, headers=headers
    )


def _local_path(stores: Stores, key: str) -> Path:
    path_of = getattr(stores.media, "path_of", None)
    if path_of is None:
        raise NotFoundException("media is served by the object store, not the app")
    try:
        path: Path = path_of(key)
    except ValueError as exc:
        raise NotFoundException(f"no media {key!r}") from exc
    if not path.is_file():
        raise NotFoundException(f"no media {key!r}")
    return path


def _parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    if not header:
        return None
    match = _RANGE_RE.match(header.strip())
    if not match or (not match.group(1) and not match.group(2)):
        return None  # a malformed or multi-range header: send the whole file
    if not match.group(1):
        length = int(match.group(2))
        return (max(size - length, 0), size - 1) if length else "unsatisfiable"
    start = int(match.group(1))
    end = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    if start >= size or start > end:
        return "unsatisfiable"
    return start, end


async def _read(path: Path, start: int, stop: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as handle:
        await handle.seek(start)
        remaining = stop - start
        while remaining > 0:
            chunk = await handle.read(min(_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
