"""Uploads that never became part of a post are removed after a day, with their object."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import Tortoise

from app.accounts.models import User
from app.db import tortoise_config
from app.posts.janitor import remove_abandoned_uploads
from app.posts.models import Attachment, MediaKind, Post
from app.settings import DatabaseSettings
from app.storage.base import Stores
from app.storage.local import LocalObjectStore


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[None]:
    await Tortoise.init(
        config=tortoise_config(DatabaseSettings(url=f"sqlite://{tmp_path / 'j.sqlite3'}"))
    )
    await Tortoise.generate_schemas()
    yield
    await Tortoise.close_connections()


async def _upload(
    stores: Stores, owner: User, key: str, age: timedelta, post: Post | None = None
) -> Attachment:
    async def body():
        yield b"bytes"

    await stores.buffer.put_stream(key, body(), "application/octet-stream")
    upload = await Attachment.create(
        owner=owner, post=post, kind=MediaKind.IMAGE, container="jpeg", buffer_key=key
    )
    await Attachment.filter(id=upload.id).update(created_at=datetime.now(UTC) - age)
    return upload


async def test_only_old_unclaimed_uploads_are_removed_with_their_object(
    database: None, tmp_path: Path
) -> None:
    buffer = LocalObjectStore(tmp_path / "objects", "buffer")
    stores = Stores(buffer=buffer, media=buffer, media_url_prefix="/media")
    owner = await User.create(username="up", username_key="up", password_hash="x")
    post = await Post.create(author=owner, text="kept")

    await _upload(stores, owner, "uploads/old", timedelta(days=2))
    fresh = await _upload(stores, owner, "uploads/fresh", timedelta(minutes=5))
    claimed = await _upload(stores, owner, "uploads/claimed", timedelta(days=2), post=post)

    assert await remove_abandoned_uploads(stores) == 1
    assert await buffer.list_keys("uploads/") == ["uploads/claimed", "uploads/fresh"]
    assert {a.id for a in await Attachment.all()} == {fresh.id, claimed.id}
