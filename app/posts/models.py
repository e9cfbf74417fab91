"""Posts, their media attachments, notifications and the outbox of unsent messages."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PostStatus(StrEnum):
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


class MediaKind(StrEnum):
    IMAGE = "image"
    ANIMATION = "animation"
    """An animated GIF; encoded to a looping silent MP4."""
    VIDEO = "video"


class Post(Model):
    id = fields.BigIntField(primary_key=True)
    """Increases with creation time; the feed's keyset cursor."""
    author = fields.ForeignKeyField("models.User", related_name="posts", on_delete=fields.CASCADE)
    text = fields.TextField()
    status = fields.CharEnumField(PostStatus, max_length=16, default=PostStatus.READY)
    failure_reason = fields.CharField(max_length=300, default="")
    like_count = fields.IntField(default=0)
    """Kept in step with the likes table in the transaction that changes it."""
    comment_count = fields.IntField(default=0)
    edited_at = fields.DatetimeField(null=True)
    """When the author last changed the text; None if never."""
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "posts"


class Attachment(Model):
    """One uploaded file: an upload until a post claims it, then that post's media."""

    id = fields.BigIntField(primary_key=True)
    owner = fields.ForeignKeyField("models.User", related_name="uploads", on_delete=fields.CASCADE)
    post = fields.ForeignKeyField(
        "models.Post", related_name="attachments", null=True, on_delete=fields.CASCADE
    )
    """None while the upload waits for the post that will use it."""
    position = fields.SmallIntField(default=0)
    kind = fields.CharEnumField(MediaKind, max_length=16)
    container = fields.CharField(max_length=16)
    """Format found in the file's content at upload (jpeg, png, mp4, ...)."""
    alt_text = fields.CharField(max_length=500, default="")
    buffer_key = fields.CharField(max_length=200)
    """Key of the uploaded original in the buffer bucket; removed once encoded."""
    source_width = fields.IntField(null=True)
    """Width of the original after rotation, known at upload; sizes the placeholder."""
    source_height = fields.IntField(null=True)
    media_key = fields.CharField(max_length=200, default="")
    """Key of the finished image or video in the media bucket."""
    thumb_key = fields.CharField(max_length=200, default="")
    """Key of the 480 px thumbnail (images) or poster JPEG (videos)."""
    mime_type = fields.CharField(max_length=50, default="")
    width = fields.IntField(null=True)
    height = fields.IntField(null=True)
    duration_s = fields.FloatField(null=True)
    byte_size = fields.BigIntField(null=True)
    upload_size = fields.BigIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "attachments"
        ordering = ["position"]


class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="notifications", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=32)
    post_id = fields.BigIntField(null=True)
    actor_id = fields.BigIntField(null=True)
    """The user whose action this is about (a follower, a liker), if any."""
    text = fields.CharField(max_length=300)
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"),)


class OutboxMessage(Model):
    """A bus message written in the same transaction as the change it announces.

    A relay publishes pending rows and marks them sent, so a message that could not be
    published (bus down) is sent once the bus is back instead of being lost.
    """

    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=100)
    key = fields.CharField(max_length=100)
    payload = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox"
