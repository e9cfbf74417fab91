"""Who follows whom, who liked which post, and comments under posts."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Follow(Model):
    id = fields.BigIntField(primary_key=True)
    follower: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="following", on_delete=fields.CASCADE
    )
    followee: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="followers", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "follows"
        # The pair is the row: following twice is the same follow.
        unique_together = (("follower", "followee"),)
        indexes = (("followee_id", "follower_id"),)


class Like(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="likes", on_delete=fields.CASCADE
    )
    post: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Post", related_name="likes", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "likes"
        # A double click inserts twice; the index keeps one.
        unique_together = (("user", "post"),)


class Comment(Model):
    id = fields.BigIntField(primary_key=True)
    """Increases with creation time; comments are listed oldest first by it."""
    post: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.Post", related_name="comments", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "models.User", related_name="comments", on_delete=fields.CASCADE
    )
    text = fields.CharField(max_length=500)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "comments"
        indexes = (("post_id", "id"),)
