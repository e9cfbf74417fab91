"""Creating, reading, listing and deleting posts. Knows nothing of HTTP."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.accounts.models import User
from app.errors import Forbidden, InvalidInput, NotFound
from app.outbox import OutboxRelay
from app.posts.events import (
    POST_CREATED,
    POST_DELETED,
    POST_EDITED,
    enqueue_encode_job,
    enqueue_post_event,
)
from app.posts.models import Attachment, MediaKind, Notification, Post, PostStatus
from app.posts.text import clean_text
from app.settings import LimitSettings
from app.storage.base import Stores

logger = logging.getLogger(__name__)

MAX_ALT_CHARS = 500


@dataclass(frozen=True)
class AttachmentInput:
    upload_id: int
    alt_text: str = ""


@dataclass(frozen=True)
class FeedPage:
    posts: list[Post]
    next_cursor: int | None


class PostService:
    def __init__(self, stores: Stores, relay: OutboxRelay, limits: LimitSettings) -> None:
        self._stores = stores
        self._relay = relay
        self._limits = limits

    async def create(self, author: User, text: str, attachments: list[AttachmentInput]) -> Post:
        """Store a post; with media it is processing and one encoder job is queued."""
        text = clean_text(text, self._limits.max_text_chars)
        uploads = await self._claimable_uploads(author, attachments)
        if not text and not uploads:
            raise InvalidInput("Write something or attach a photo or video before posting.")

        status = PostStatus.PROCESSING if uploads else PostStatus.READY
        async with in_transaction() as connection:
            post = await Post.create(author=author, text=text, status=status, using_db=connection)
            for position, (upload, wanted) in enumerate(zip(uploads, attachments, strict=True)):
                upload.post_id = post.id
                upload.position = position
                upload.alt_text = wanted.alt_text.strip()
                await upload.save(
                    update_fields=["post_id", "position", "alt_text"], using_db=connection
                )
            if uploads:
                await enqueue_encode_job(post.id, connection)
            await enqueue_post_event(POST_CREATED, post.id, author.id, connection)

        self._relay.wake()
        logger.info(
            "post created post_id=%s author_id=%s status=%s attachments=%d",
            post.id,
            author.id,
            status.value,
            len(uploads),
        )
        return await self.get(post.id, viewer=author)

    async def get(self, post_id: int, viewer: User) -> Post:
        """A post the viewer may see, with author and attachments loaded."""
        post = (
            await self._visible_to(viewer)
            .filter(id=post_id)
            .select_related("author")
            .prefetch_related("attachments")
            .first()
        )
        if post is None:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        return post

    async def feed(
        self, viewer: User, before: int | None, limit: int | None = None, only: Q | None = None
    ) -> FeedPage:
        """Newest first, keyset-paginated by post id: no gaps or repeats as posts arrive.

        ``only`` narrows the feed (one author's posts, the people the viewer follows).
        """
        limit = limit or self._limits.feed_page_size
        query = self._visible_to(viewer)
        if only is not None:
            query = query.filter(only)
        if before is not None:
            query = query.filter(id__lt=before)

        # Two queries whatever the page holds: posts joined with authors, then attachments.
        rows = await (
            query.order_by("-id")
            .limit(limit + 1)
            .select_related("author")
            .prefetch_related("attachments")
        )
        posts = rows[:limit]
        next_cursor = posts[-1].id if len(rows) > limit else None
        return FeedPage(posts=posts, next_cursor=next_cursor)

    async def delete(self, post_id: int, requester: User) -> None:
        """Delete the requester's own post, its media objects, and tell every viewer."""
        post = await Post.get_or_none(id=post_id).prefetch_related("attachments")
        if post is None:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        if post.author_id != requester.id:  # type: ignore[attr-defined]
            raise Forbidden("You can only delete your own posts.")

        keys = [a for a in post.attachments]
        async with in_transaction() as connection:
            await Post.filter(id=post_id).using_db(connection).delete()
            # Notifications about it would only lead to a missing page.
            await Notification.filter(post_id=post_id).using_db(connection).delete()
            await enqueue_post_event(POST_DELETED, post_id, requester.id, connection)
        self._relay.wake()

        await self._delete_objects(keys)
        logger.info("post deleted post_id=%s author_id=%s", post_id, requester.id)

    async def edit(self, post_id: int, requester: User, text: str) -> Post:
        """Replace the text of the requester's own post and tell everyone who can see it."""
        post = await Post.get_or_none(id=post_id).prefetch_related("attachments")
        if post is None:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        if post.author_id != requester.id:  # type: ignore[attr-defined]
            raise Forbidden("You can only edit your own posts.")
        text = clean_text(text, self._limits.max_text_chars)
        if not text and not list(post.attachments):
            raise InvalidInput("A post without photos or a video needs some text.")
        if text == post.text:
            return await self.get(post_id, viewer=requester)  # nothing changed: no "edited" mark

        async with in_transaction() as connection:
            updated = (
                await Post.filter(id=post_id)
                .using_db(connection)
                .update(text=text, edited_at=datetime.now(UTC))
            )
            if updated:
                await enqueue_post_event(POST_EDITED, post_id, requester.id, connection)
        if not updated:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        self._relay.wake()

        logger.info("post edited post_id=%s author_id=%s", post_id, requester.id)
        return await self.get(post_id, viewer=requester)

    def _visible_to(self, viewer: User):  # type: ignore[no-untyped-def]
        # Failed posts are shown to their author only, with the reason.
        return Post.filter(
            Q(status__in=[PostStatus.READY, PostStatus.PROCESSING]) | Q(author_id=viewer.id)
        )

    async def _claimable_uploads(
        self, author: User, wanted: list[AttachmentInput]
    ) -> list[Attachment]:
        if not wanted:
            return []
        ids = [w.upload_id for w in wanted]
        if len(set(ids)) != len(ids):
            raise InvalidInput("The same upload is attached twice.")
        for item in wanted:
            if len(item.alt_text) > MAX_ALT_CHARS:
                raise InvalidInput(f"Alt text can be at most {MAX_ALT_CHARS} characters.")

        found = {
            a.id: a for a in await Attachment.filter(id__in=ids, owner_id=author.id, post_id=None)
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise InvalidInput(
                f"Upload {missing[0]} was not found: it belongs to another post or to nobody."
            )

        uploads = [found[i] for i in ids]
        videos = [u for u in uploads if u.kind == MediaKind.VIDEO]
        if videos and len(uploads) > 1:
            raise InvalidInput("A post can carry one video, or up to 4 images, but not both.")
        if len(uploads) > self._limits.max_images_per_post:
            raise InvalidInput(
                f"A post can carry at most {self._limits.max_images_per_post} images."
            )
        return uploads

    async def _delete_objects(self, attachments: list[Attachment]) -> None:
        for attachment in attachments:
            for key in (attachment.media_key, attachment.thumb_key):
                if key:
                    await self._stores.media.delete(key)
            await self._stores.buffer.delete(attachment.buffer_key)
