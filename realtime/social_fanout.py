"""Social events (edits, likes, comments, follows, profile changes) into socket messages.

Each message is built from the database as it is now, not from the event: a like
event published after a later one still shows the latest count, and a comment deleted
before its event was fanned out is not shown at all. Who gets a message about a post
follows who may see the post: everyone for ready and processing posts, only the author
for failed ones.
"""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.bus.base import Event
from app.posts.events import POST_EDITED
from app.posts.models import Post, PostStatus
from app.posts.views import post_view
from app.social.events import (
    COMMENT_CREATED,
    COMMENT_DELETED,
    NOTIFICATIONS_READ,
    POST_LIKED,
    USER_FOLLOWED,
    USER_NOTIFIED,
    USER_UPDATED,
)
from app.social.models import Comment
from app.social.notifications import unread_count
from app.social.views import comment_view, user_view
from app.storage.base import Stores
from app.templating import render
from realtime.hub import EVERYONE, Audience, Hub

FOLLOW_CHANGED = "follow.changed"
"""To the follower's own tabs: the Following tab's live filter gains or loses an author."""


def post_audience(post: Post) -> Audience:
    if post.status == PostStatus.FAILED:
        return Audience(only_user=post.author_id)  # type: ignore[attr-defined]
    return EVERYONE


async def notification_message(notification: dict[str, Any], post_id: Any) -> dict[str, Any]:
    """The socket message of a stored notification, with its recipient's unread count now."""
    recipient = int(notification["user_id"])
    return {
        "type": "notification",
        "kind": notification.get("kind"),
        "post_id": notification.get("post_id", post_id),
        "notification_id": notification.get("id"),
        "text": notification.get("text"),
        "unread": await unread_count(recipient),
    }


class SocialFanout:
    def __init__(self, hub: Hub, stores: Stores) -> None:
        self._hub = hub
        self._stores = stores
        self._handlers = {
            POST_EDITED: self._post_edited,
            POST_LIKED: self._post_liked,
            COMMENT_CREATED: self._comment_created,
            COMMENT_DELETED: self._comment_deleted,
            USER_FOLLOWED: self._user_followed,
            USER_UPDATED: self._user_updated,
            USER_NOTIFIED: self._notification_only,
            NOTIFICATIONS_READ: self._notifications_read,
        }

    def handles(self, kind: str) -> bool:
        return kind in self._handlers

    async def dispatch(self, event: Event) -> None:
        await self._handlers[event.value["type"]](event.position, event.value)

    async def _post_edited(self, position: int, value: dict[str, Any]) -> None:
        post = (
            await Post.get_or_none(id=value["post_id"])
            .select_related("author")
            .prefetch_related("attachments")
        )
        if post is None:
            return  # deleted since; its deletion event follows
        html = render("feed/_post.html", post=post_view(post, self._stores))
        message = {
            "type": POST_EDITED,
            "post_id": post.id,
            "author_id": value["author_id"],
            "html": html,
        }
        self._hub.publish(position, message, post_audience(post))

    async def _post_liked(self, position: int, value: dict[str, Any]) -> None:
        post = await Post.get_or_none(id=value["post_id"])
        if post is None:
            return
        # Everyone sees the count; only the liker's own tabs learn who it was.
        count = {"type": POST_LIKED, "post_id": post.id, "like_count": post.like_count}
        liker = int(value["user_id"])
        audience = post_audience(post)
        if audience.only_user != liker:
            others = audience if audience.only_user is not None else Audience(except_user=liker)
            self._hub.publish(position, count, others)
        mine = {**count, "user_id": liker, "liked": value["liked"]}
        self._hub.publish(position, mine, Audience(only_user=liker))

    async def _comment_created(self, position: int, value: dict[str, Any]) -> None:
        comment = await Comment.get_or_none(id=value["comment_id"]).select_related("author", "post")
        if comment is None:
            return  # deleted before anyone saw it: its deletion event follows
        post: Post = comment.post
        view = comment_view(comment, post.author_id, self._stores)  # type: ignore[attr-defined]
        message = {
            "type": COMMENT_CREATED,
            "post_id": post.id,
            "comment_id": comment.id,
            "author_id": view.author.id,
            "comment_count": post.comment_count,
            "html": render("social/_comment.html", comment=view),
        }
        self._hub.publish(position, message, post_audience(post))

    async def _comment_deleted(self, position: int, value: dict[str, Any]) -> None:
        post = await Post.get_or_none(id=value["post_id"])
        if post is None:
            return
        message = {
            "type": COMMENT_DELETED,
            "post_id": post.id,
            "comment_id": value["comment_id"],
            "comment_count": post.comment_count,
        }
        self._hub.publish(position, message, post_audience(post))

    async def _user_followed(self, position: int, value: dict[str, Any]) -> None:
        message = {
            "type": FOLLOW_CHANGED,
            "user_id": value["user_id"],
            "following": value["following"],
        }
        self._hub.publish(position, message, Audience(only_user=value["follower_id"]))

    async def _user_updated(self, position: int, value: dict[str, Any]) -> None:
        user = await User.get_or_none(id=value["user_id"])
        if user is None:
            return
        view = user_view(user, self._stores)
        message = {
            "type": USER_UPDATED,
            "user_id": view.id,
            "username": view.username,
            "display_name": view.display_name,
            "bio": view.bio,
            "avatar_url": view.avatar_url,
            "avatar_large_url": view.avatar_large_url,
        }
        self._hub.publish(position, message)

    async def _notification_only(self, position: int, value: dict[str, Any]) -> None:
        """The event's notification is all there is; the common path delivers it."""

    async def _notifications_read(self, position: int, value: dict[str, Any]) -> None:
        user_id = int(value["user_id"])
        message = {"type": NOTIFICATIONS_READ, "unread": await unread_count(user_id)}
        self._hub.publish(position, message, Audience(only_user=user_id))
