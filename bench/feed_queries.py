"""Database queries the feed page runs, for pages of growing size.

Builds a SQLite database with posts carrying 0 to 4 images, renders the first feed page
(20 posts) and prints the number of queries for each shape. Goal: the same small number
whatever the posts and attachments.

    .venv/bin/python bench/feed_queries.py
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from pathlib import Path

from tortoise import Tortoise

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts.models import User  # noqa: E402
from app.db import tortoise_config  # noqa: E402
from app.posts.models import Attachment, MediaKind, Post, PostStatus  # noqa: E402
from app.posts.service import PostService  # noqa: E402
from app.posts.views import post_view  # noqa: E402
from app.settings import DatabaseSettings, LimitSettings  # noqa: E402
from app.storage.base import Stores  # noqa: E402
from app.storage.local import LocalObjectStore  # noqa: E402
from app.templating import render  # noqa: E402


class Counter(logging.Handler):
    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def measure(posts: int, images_each: int, folder: Path) -> int:
    url = f"sqlite://{folder / f'feed-{posts}-{images_each}.sqlite3'}"
    await Tortoise.init(config=tortoise_config(DatabaseSettings(url=url)))
    await Tortoise.generate_schemas()
    author = await User.create(username="bench", username_key="bench", password_hash="x")
    for index in range(posts):
        post = await Post.create(author=author, text=f"post {index}", status=PostStatus.READY)
        for position in range(images_each):
            await Attachment.create(
                owner=author, post=post, position=position, kind=MediaKind.IMAGE, container="jpeg",
                buffer_key="b", media_key=f"m/{index}/{position}.webp", thumb_key="t.webp", width=4, height=3,
            )  # fmt: skip

    store = LocalObjectStore(folder / "objects", "media")
    stores = Stores(buffer=store, media=store, media_url_prefix="/media")
    service = PostService(stores, relay=None, limits=LimitSettings())  # type: ignore[arg-type]
    counter = Counter()
    db_logger = logging.getLogger("tortoise.db_client")
    db_logger.setLevel(logging.DEBUG)
    db_logger.addHandler(counter)
    page = await service.feed(author, before=None)
    for post in page.posts:
        render("feed/_post.html", post=post_view(post, stores))
    db_logger.removeHandler(counter)
    await Tortoise.close_connections()
    return counter.count


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for posts, images in [(1, 0), (20, 0), (20, 1), (20, 4), (200, 4)]:
            queries = await measure(posts, images, Path(folder))
            print(f"feed page over {posts:>3} posts with {images} images each: {queries} queries")


if __name__ == "__main__":
    asyncio.run(main())
