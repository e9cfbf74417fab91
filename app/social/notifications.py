"""Storing, counting, listing and reading notifications. Knows nothing of HTTP."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.accounts.models import User
from app.outbox import OutboxRelay
from app.posts.models import Notification
from app.social.events import NOTIFICATIONS_READ, enqueue_social_event

logger = logging.getLogger(__name__)

FOLLOWED = "followed"
LIKED = "liked"
COMMENTED = "commented"
AVATAR_FAILED = "avatar.failed"

PAGE_SIZE = 30


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[Notification]
    next_cursor: int | None


async def notify(
    user_id: int,
    kind: str,
    text: str,
    connection: BaseDBAsyncClient,
    *,
    actor_id: int | None = None,
    post_id: int | None = None,
    once: bool = False,
) -> Notification | None:
    """Store a notification in the caller's transaction; None when it would say nothing new.

    Nobody is told about their own actions. With ``once``, an actor's repeat of the same
    act (like, unlike, like again) does not notify twice.
    """
    if actor_id == user_id:
        return None
    if once:
        earlier = Notification.filter(
            user_id=user_id, kind=kind, actor_id=actor_id, post_id=post_id
        ).using_db(connection)
        if await earlier.exists():
            return None
    return await Notification.create(
        user_id=user_id,
        kind=kind,
        text=text[:300],
        actor_id=actor_id,
        post_id=post_id,
        using_db=connection,
    )


async def unread_count(user_id: int) -> int:
    """One COUNT over the (user_id, read_at) index; the header badge shows it on every page."""
    return await Notification.filter(user_id=user_id, read_at=None).count()


async def recent(user: User, before: int | None = None, limit: int = PAGE_SIZE) -> NotificationPage:
    """Newest first, keyset-paginated by id."""
    query = Notification.filter(user_id=user.id)
    if before is not None:
        query = query.filter(id__lt=before)
    rows = await query.order_by("-id").limit(limit + 1)
    page = rows[:limit]
    return NotificationPage(page, page[-1].id if len(rows) > limit else None)


async def mark_all_read(user: User, relay: OutboxRelay) -> int:
    """Mark every unread notification read and reset the badge in the user's other tabs."""
    async with in_transaction() as connection:
        marked = (
            await Notification.filter(user_id=user.id, read_at=None)
            .using_db(connection)
            .update(read_at=datetime.now(UTC))
        )
        if marked:
            await enqueue_social_event(NOTIFICATIONS_READ, user.id, connection, user_id=user.id)
    if marked:
        relay.wake()
        logger.info("notifications read user_id=%s count=%d", user.id, marked)
    return marked
