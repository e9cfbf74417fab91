"""Names and payloads of the social events put on the events topic (through the outbox).

Every payload names who it concerns by id only; the fan-out reads the current state
(counts, names, the comment's text) when it turns an event into socket messages, so an
event published late or twice never shows a stale number.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app.outbox import EVENTS, enqueue
from app.posts.models import Notification

POST_LIKED = "post.liked"
"""A like was added or taken back (``liked`` says which)."""
COMMENT_CREATED = "comment.created"
COMMENT_DELETED = "comment.deleted"
USER_FOLLOWED = "user.followed"
"""A follow was added or taken back (``following`` says which)."""
USER_UPDATED = "user.updated"
"""Display name, bio or avatar changed."""
USER_NOTIFIED = "user.notified"
"""A notification with no other event to ride on (an avatar that could not be used)."""
NOTIFICATIONS_READ = "notifications.read"


def notification_payload(note: Notification) -> dict[str, Any]:
    """What an event carries of a stored notification, for its recipient's sockets."""
    return {
        "id": note.id,
        "user_id": note.user_id,  # type: ignore[attr-defined]
        "kind": note.kind,
        "text": note.text,
        "post_id": note.post_id,
    }


async def enqueue_social_event(
    kind: str, key: int, connection: BaseDBAsyncClient, **fields: Any
) -> None:
    """Queue an event in the caller's transaction; key orders events about one post or user."""
    await enqueue(EVENTS, str(key), {"type": kind, **fields}, connection)
