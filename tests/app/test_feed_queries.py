"""The feed runs a fixed number of database queries, whatever the page holds."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from tortoise import Tortoise

from app.accounts.models import User
from app.db import tortoise_config
from app.posts.models import Attachment, MediaKind, Post, PostStatus
from app.posts.service import PostService
from app.posts.views import post_view
from app.settings import DatabaseSettings, LimitSettings
from app.storage.base import Stores
from app.storage.local import LocalObjectStore


class _QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[None]:
    url = f"sqlite://{tmp_path / 'feed.sqlite3'}"
    await Tortoise.init(config=tortoise_config(DatabaseSettings(url=url)))
    await Tortoise.generate_schemas()
    yield
    await Tortoise.close_connections()


async def _posts_with_media(author: User, count: int, images_each: int) -> None:
    for index in range(count):
        post = await Post.create(author=author, text=f"post {index}", status=PostStatus.READY)
        for position in range(images_each):
            await Attachment.create(
                owner=author, post=post, position=position, kind=MediaKind.IMAGE, container="jpeg",
                buffer_key=f"b/{index}/{position}", media_key=f"m/{index}/{position}.webp",
                thumb_key=f"m/{index}/{position}-t.webp", width=10, height=10,
            )  # fmt: skip


async def _queries_for_feed(service: PostService, viewer: User, stores: Stores) -> int:
    counter = _QueryCounter()
    db_logger = logging.getLogger("tortoise.db_client")
    previous = db_logger.level
    db_logger.setLevel(logging.DEBUG)
    db_logger.addHandler(counter)
    try:
        page = await service.feed(viewer, before=None, limit=20)
        views = [post_view(p, stores) for p in page.posts]
    finally:
        db_logger.removeHandler(counter)
        db_logger.setLevel(previous)
    assert views
    return counter.count


async def test_feed_query_count_does_not_grow_with_posts_or_attachments(
    database: None, tmp_path: Path
) -> None:
    local = LocalObjectStore(tmp_path / "objects", "media")
    stores = Stores(buffer=local, media=local, media_url_prefix="/media")
    service = PostService(stores, relay=None, limits=LimitSettings())  # type: ignore[arg-type]
    author = await User.create(username="author", username_key="author", password_hash="x")

    await _posts_with_media(author, count=2, images_each=1)
    small = await _queries_for_feed(service, author, stores)
    await _posts_with_media(author, count=30, images_each=4)
    large = await _queries_for_feed(service, author, stores)

    assert small == large == 2, f"{small} queries for 2 posts, {large} for 20 posts of 4 images"
