"""Names and payloads of the messages posts put on the bus (through the outbox)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app.outbox import EVENTS, JOBS, enqueue

POST_CREATED = "post.created"
POST_READY = "post.ready"
POST_FAILED = "post.failed"
POST_DELETED = "post.deleted"
POST_EDITED = "post.edited"


async def enqueue_encode_job(post_id: int, connection: BaseDBAsyncClient) -> None:
    """One job per post; the encoder reads the post's attachments from the database."""
    await enqueue(JOBS, str(post_id), {"post_id": post_id}, connection)


async def enqueue_post_event(
    kind: str,
    post_id: int,
    author_id: int,
    connection: BaseDBAsyncClient,
    **extra: Any,
) -> None:
    payload = {"type": kind, "post_id": post_id, "author_id": author_id, **extra}
    await enqueue(EVENTS, str(post_id), payload, connection)
