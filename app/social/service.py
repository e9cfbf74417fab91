"""Follows, likes, comments and profiles. Knows nothing of HTTP.

Every change is written with its event (and any notification) in one transaction. Likes
and comments keep a counter on the post; each such transaction updates the post row
first, so concurrent ones queue on that row's lock instead of deadlocking, and the
unique (user, post) index turns a second like into a rolled-back no-op.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery
from tortoise.transactions import in_transaction

from app.accounts.models import User
from app.accounts.service import USERNAME_RE
from app.errors import Forbidden, InvalidInput, NotFound
from app.outbox import JOBS, OutboxRelay, enqueue
from app.posts.models import Attachment, MediaKind, Notification, Post, PostStatus
from app.posts.text import clean_text
from app.social import notifications
from app.social.events import (
    COMMENT_CREATED,
    COMMENT_DELETED,
    POST_LIKED,
    USER_FOLLOWED,
    USER_UPDATED,
    enqueue_social_event,
    notification_payload,
)
from app.social.models import Comment, Follow, Like
from app.storage.base import Stores

logger = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 500
MAX_DISPLAY_NAME_CHARS = 60
MAX_BIO_CHARS = 300
COMMENTS_PAGE_SIZE = 50

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Direction overrides and invisible spaces let a name pass for another or flip the text
# after it. (The zero-width joiner stays allowed: emoji sequences need it.)
_DECEPTIVE_RE = re.compile(
    "[\u061c\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_EXCERPT_CHARS = 80


@dataclass(frozen=True)
class LikeState:
    post_id: int
    liked: bool
    like_count: int


@dataclass(frozen=True)
class FollowState:
    user_id: int
    following: bool
    followers: int


@dataclass(frozen=True)
class ProfileCounts:
    posts: int
    followers: int
    following: int


@dataclass(frozen=True)
class CommentPage:
    comments: list[Comment]
    next_cursor: int | None
    """Pass as after= for the comments that follow; None when these are the last."""
    post_author_id: int
    """Who, besides each comment's author, may delete these comments."""


class _Unchanged(Exception):
    """Rolls back a transaction that turned out to change nothing (an unlike of no like)."""


def visible_posts(viewer: User) -> Q:
    """Posts the viewer may see: every ready or processing post, and their own failed ones."""
    return Q(status__in=[PostStatus.READY, PostStatus.PROCESSING]) | Q(author_id=viewer.id)


def authored_by(user: User) -> Q:
    """A profile's posts."""
    return Q(author_id=user.id)


def following_feed(viewer: User) -> Q:
    """The Following tab: posts by people the viewer follows, and the viewer's own."""
    followed = Subquery(Follow.filter(follower_id=viewer.id).values("followee_id"))
    return Q(author_id__in=followed) | Q(author_id=viewer.id)


def clean_comment(text: str) -> str:
    text = clean_text(text, MAX_COMMENT_CHARS, noun="Comments")
    if not text:
        raise InvalidInput("Write something before sending a comment.")
    return text


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT_CHARS else flat[: _EXCERPT_CHARS - 1] + "…"


def _refuse_hidden_characters(value: str, what: str) -> None:
    if _CONTROL_RE.search(value):
        raise InvalidInput(f"The {what} cannot contain control characters.")
    if _DECEPTIVE_RE.search(value):
        raise InvalidInput(f"The {what} cannot contain invisible or text-direction characters.")


def _one_line(value: str, what: str, limit: int) -> str:
    value = " ".join(value.split())
    _refuse_hidden_characters(value, what)
    if len(value) > limit:
        raise InvalidInput(
            f"The {what} can be at most {limit} characters; this one has {len(value)}."
        )
    return value


class SocialService:
    def __init__(self, stores: Stores, relay: OutboxRelay) -> None:
        self._stores = stores
        self._relay = relay

    # -- users and profiles ------------------------------------------------------------

    async def user_named(self, username: str) -> User:
        key = username.strip().lstrip("@").lower()
        # A name no account can have is not worth a query (and must not reach the
        # database with a length its column refuses).
        user = await User.get_or_none(username_key=key) if USERNAME_RE.fullmatch(key) else None
        if user is None:
            shown = key if len(key) <= 40 else key[:40] + "…"
            raise NotFound(f"There is no user @{shown}.")
        return user

    async def counts(self, user: User, viewer: User) -> ProfileCounts:
        posts = await Post.filter(visible_posts(viewer), author_id=user.id).count()
        followers = await Follow.filter(followee_id=user.id).count()
        following = await Follow.filter(follower_id=user.id).count()
        return ProfileCounts(posts=posts, followers=followers, following=following)

    async def update_profile(self, user: User, display_name: str | None, bio: str | None) -> User:
        """Change the display name and/or bio; every page showing them updates live."""
        changes: dict[str, str] = {}
        if display_name is not None:
            changes["display_name"] = _one_line(
                display_name, "display name", MAX_DISPLAY_NAME_CHARS
            )
        if bio is not None:
            bio = clean_text(bio, MAX_BIO_CHARS, noun="Bios")
            _refuse_hidden_characters(bio.replace("\n", " "), "bio")
            changes["bio"] = bio
        if not changes:
            return user

        async with in_transaction() as connection:
            await User.filter(id=user.id).using_db(connection).update(**changes)
            await enqueue_social_event(USER_UPDATED, user.id, connection, user_id=user.id)
        self._relay.wake()

        logger.info("profile updated user_id=%s fields=%s", user.id, ",".join(sorted(changes)))
        return await User.get(id=user.id)

    async def set_avatar(self, user: User, upload_id: int) -> None:
        """Queue an upload of the user's to become their avatar (the encoder crops it)."""
        upload = await Attachment.get_or_none(id=upload_id, owner_id=user.id, post_id=None)
        if upload is None:
            raise InvalidInput(
                f"Upload {upload_id} was not found: it belongs to a post or to someone else."
            )
        if upload.kind != MediaKind.IMAGE:
            raise InvalidInput(
                f"A profile picture must be a still photo; upload {upload_id} is "
                f"{'an' if upload.kind.value[0] in 'aeiou' else 'a'} {upload.kind.value}."
            )

        async with in_transaction() as connection:
            await User.filter(id=user.id).using_db(connection).update(avatar_pending_id=upload_id)
            job = {"kind": "avatar", "user_id": user.id, "attachment_id": upload_id}
            await enqueue(JOBS, f"avatar-{user.id}", job, connection)
        self._relay.wake()
        logger.info("avatar queued user_id=%s attachment_id=%s", user.id, upload_id)

    async def remove_avatar(self, user: User) -> None:
        """Back to the initial letter; the old pictures are deleted from the media bucket."""
        current = await User.get(id=user.id)
        async with in_transaction() as connection:
            await (
                User.filter(id=user.id)
                .using_db(connection)
                .update(avatar_key="", avatar_pending_id=None)
            )
            await enqueue_social_event(USER_UPDATED, user.id, connection, user_id=user.id)
        self._relay.wake()

        if current.avatar_key:
            for key in await self._stores.media.list_keys(current.avatar_key + "/"):
                await self._stores.media.delete(key)
        logger.info("avatar removed user_id=%s", user.id)

    # -- follows -----------------------------------------------------------------------

    async def follow(self, viewer: User, username: str) -> FollowState:
        target = await self.user_named(username)
        if target.id == viewer.id:
            raise InvalidInput(
                "You cannot follow yourself; your own posts are always in your feed."
            )
        try:
            async with in_transaction() as connection:
                await Follow.create(
                    follower_id=viewer.id, followee_id=target.id, using_db=connection
                )
                note = await notifications.notify(
                    target.id,
                    notifications.FOLLOWED,
                    f"@{viewer.username} followed you.",
                    connection,
                    actor_id=viewer.id,
                    once=True,
                )
                await self._follow_event(target.id, viewer.id, True, note, connection)
            self._relay.wake()
            logger.info("follow follower_id=%s followee_id=%s", viewer.id, target.id)
        except IntegrityError:
            pass  # already following: the unique pair kept one row
        return await self._follow_state(viewer, target)

    async def unfollow(self, viewer: User, username: str) -> FollowState:
        target = await self.user_named(username)
        async with in_transaction() as connection:
            removed = (
                await Follow.filter(follower_id=viewer.id, followee_id=target.id)
                .using_db(connection)
                .delete()
            )
            if removed:
                await self._follow_event(target.id, viewer.id, False, None, connection)
        if removed:
            self._relay.wake()
            logger.info("unfollow follower_id=%s followee_id=%s", viewer.id, target.id)
        return await self._follow_state(viewer, target)

    async def is_following(self, viewer: User, user: User) -> bool:
        return await Follow.exists(follower_id=viewer.id, followee_id=user.id)

    async def followed_ids(self, viewer: User) -> list[int]:
        """Ids of the people the viewer follows (the Following tab's live filter)."""
        rows = await Follow.filter(follower_id=viewer.id).values_list("followee_id", flat=True)
        return [int(row) for row in rows]  # type: ignore[call-overload]

    async def _follow_event(
        self,
        followee_id: int,
        follower_id: int,
        following: bool,
        note: Notification | None,
        connection: BaseDBAsyncClient,
    ) -> None:
        await enqueue_social_event(
            USER_FOLLOWED,
            followee_id,
            connection,
            user_id=followee_id,
            follower_id=follower_id,
            following=following,
            notification=notification_payload(note) if note else None,
        )

    async def _follow_state(self, viewer: User, target: User) -> FollowState:
        return FollowState(
            user_id=target.id,
            following=await self.is_following(viewer, target),
            followers=await Follow.filter(followee_id=target.id).count(),
        )

    # -- likes -------------------------------------------------------------------------

    async def like(self, viewer: User, post_id: int) -> LikeState:
        """Like a post; liking it again changes nothing."""
        try:
            async with in_transaction() as connection:
                await self._bump(viewer, post_id, "like_count", +1, connection)
                await Like.create(user_id=viewer.id, post_id=post_id, using_db=connection)
                author_id = await self._author_of(post_id, connection)
                note = await notifications.notify(
                    author_id,
                    notifications.LIKED,
                    f"@{viewer.username} liked your post.",
                    connection,
                    actor_id=viewer.id,
                    post_id=post_id,
                    once=True,
                )
                await self._like_event(post_id, author_id, viewer.id, True, note, connection)
            self._relay.wake()
        except IntegrityError:
            pass  # liked already (a double click): the unique pair rolled the bump back
        return await self.like_state(viewer, post_id)

    async def unlike(self, viewer: User, post_id: int) -> LikeState:
        """Take a like back; unliking a post one has not liked changes nothing."""
        try:
            async with in_transaction() as connection:
                await self._bump(viewer, post_id, "like_count", -1, connection)
                removed = (
                    await Like.filter(user_id=viewer.id, post_id=post_id)
                    .using_db(connection)
                    .delete()
                )
                if not removed:
                    raise _Unchanged
                author_id = await self._author_of(post_id, connection)
                await self._like_event(post_id, author_id, viewer.id, False, None, connection)
            self._relay.wake()
        except _Unchanged:
            pass
        return await self.like_state(viewer, post_id)

    async def like_state(self, viewer: User, post_id: int) -> LikeState:
        counts = await Post.filter(visible_posts(viewer), id=post_id).values_list(
            "like_count", flat=True
        )
        if not counts:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        liked = await Like.exists(user_id=viewer.id, post_id=post_id)
        return LikeState(post_id=post_id, liked=liked, like_count=int(counts[0]))  # type: ignore[call-overload]

    async def liked_among(self, viewer: User, post_ids: list[int]) -> list[int]:
        """Which of these posts the viewer has liked (one query, for a page of posts)."""
        if not post_ids:
            return []
        rows = await Like.filter(user_id=viewer.id, post_id__in=post_ids).values_list(
            "post_id", flat=True
        )
        return sorted(int(row) for row in rows)  # type: ignore[call-overload]

    async def _like_event(
        self,
        post_id: int,
        author_id: int,
        user_id: int,
        liked: bool,
        note: Notification | None,
        connection: BaseDBAsyncClient,
    ) -> None:
        await enqueue_social_event(
            POST_LIKED,
            post_id,
            connection,
            post_id=post_id,
            author_id=author_id,
            user_id=user_id,
            liked=liked,
            notification=notification_payload(note) if note else None,
        )

    # -- comments ----------------------------------------------------------------------

    async def comment(self, viewer: User, post_id: int, text: str) -> Comment:
        text = clean_comment(text)
        async with in_transaction() as connection:
            await self._bump(viewer, post_id, "comment_count", +1, connection)
            comment = await Comment.create(
                post_id=post_id, author_id=viewer.id, text=text, using_db=connection
            )
            author_id = await self._author_of(post_id, connection)
            note = await notifications.notify(
                author_id,
                notifications.COMMENTED,
                f"@{viewer.username} commented on your post: {_excerpt(text)}",
                connection,
                actor_id=viewer.id,
                post_id=post_id,
            )
            await enqueue_social_event(
                COMMENT_CREATED,
                post_id,
                connection,
                post_id=post_id,
                author_id=author_id,
                comment_id=comment.id,
                notification=notification_payload(note) if note else None,
            )
        self._relay.wake()

        logger.info(
            "comment created comment_id=%s post_id=%s author_id=%s", comment.id, post_id, viewer.id
        )
        return await Comment.get(id=comment.id).select_related("author", "post")

    async def delete_comment(self, viewer: User, comment_id: int) -> None:
        """Its author, or the author of the post it is under, may delete a comment."""
        comment = await Comment.get_or_none(id=comment_id).select_related("post")
        if comment is None:
            raise NotFound(f"There is no comment {comment_id}, or it was deleted.")
        post: Post = comment.post
        if viewer.id not in (comment.author_id, post.author_id):  # type: ignore[attr-defined]
            raise Forbidden("You can delete your own comments and comments on your posts only.")

        try:
            async with in_transaction() as connection:
                await self._bump(viewer, post.id, "comment_count", -1, connection)
                removed = await Comment.filter(id=comment_id).using_db(connection).delete()
                if not removed:
                    raise _Unchanged
                await enqueue_social_event(
                    COMMENT_DELETED,
                    post.id,
                    connection,
                    post_id=post.id,
                    author_id=post.author_id,  # type: ignore[attr-defined]
                    comment_id=comment_id,
                )
        except _Unchanged as exc:
            raise NotFound(f"There is no comment {comment_id}, or it was deleted.") from exc
        self._relay.wake()
        logger.info("comment deleted comment_id=%s by user_id=%s", comment_id, viewer.id)

    async def comments(
        self, viewer: User, post_id: int, after: int | None = None, limit: int = COMMENTS_PAGE_SIZE
    ) -> CommentPage:
        """Comments under a post the viewer may see, oldest first, keyset-paginated by id."""
        authors = await Post.filter(visible_posts(viewer), id=post_id).values_list(
            "author_id", flat=True
        )
        if not authors:
            raise NotFound(f"There is no post {post_id}, or it was deleted.")
        query = Comment.filter(post_id=post_id)
        if after is not None:
            query = query.filter(id__gt=after)
        rows = await query.order_by("id").limit(limit + 1).select_related("author")
        page = rows[:limit]
        next_cursor = page[-1].id if len(rows) > limit else None
        return CommentPage(page, next_cursor, int(authors[0]))  # type: ignore[call-overload]

    # -- shared steps ------------------------------------------------------------------

    async def _bump(
        self, viewer: User, post_id: int, counter: str, step: int, connection: BaseDBAsyncClient
    ) -> None:
        """Move a post's counter by step, locking the post row for the rest of the transaction."""
        query = Post.filter(visible_posts(viewer), id=post_id)
        if step < 0:
            query = query.filter(**{f"{counter}__gt": 0})
        updated = await query.using_db(connection).update(**{counter: F(counter) + step})
        if updated:
            return
        if (
            step < 0
            and await Post.filter(visible_posts(viewer), id=post_id).using_db(connection).exists()
        ):
            raise _Unchanged
        raise NotFound(f"There is no post {post_id}, or it was deleted.")

    async def _author_of(self, post_id: int, connection: BaseDBAsyncClient) -> int:
        rows = (
            await Post.filter(id=post_id).using_db(connection).values_list("author_id", flat=True)
        )
        return int(rows[0])  # type: ignore[call-overload]
