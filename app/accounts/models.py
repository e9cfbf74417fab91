"""Users and their server-side sessions."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.BigIntField(primary_key=True)
    username = fields.CharField(max_length=30)
    """As the user typed it; shown everywhere."""
    username_key = fields.CharField(max_length=30, unique=True)
    """Lower-cased username; makes uniqueness ignore case."""
    password_hash = fields.CharField(max_length=255)
    display_name = fields.CharField(max_length=60, default="")
    bio = fields.CharField(max_length=300, default="")
    avatar_key = fields.CharField(max_length=200, default="")
    """Prefix of the finished avatar in the media bucket ("" draws the initial letter)."""
    avatar_pending_id = fields.BigIntField(null=True)
    """Upload being turned into the avatar; a newer choice supersedes it."""
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "users"


class Session(Model):
    id = fields.CharField(max_length=64, primary_key=True)
    """SHA-256 of the cookie token, so a leaked table does not leak live sessions."""
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="sessions", on_delete=fields.CASCADE
    )
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "sessions"
