"""Where a user's avatar lives in the media bucket, and its URLs.

An avatar is stored under a prefix derived from the user and the upload it came from,
so a new picture never overwrites one a browser may have cached, and a redone job
writes the same keys again.
"""

from __future__ import annotations

from app.storage.base import Stores

SMALL = 96
LARGE = 400
SIZES = (SMALL, LARGE)
"""Square sides in pixels: the small one beside posts and comments, the large on profiles."""


def avatar_prefix(user_id: int, attachment_id: int) -> str:
    return f"avatars/{user_id}/{attachment_id}"


def avatar_object_key(prefix: str, size: int) -> str:
    return f"{prefix}/{size}.webp"


def avatar_url(prefix: str, stores: Stores, size: int = SMALL) -> str:
    """URL of the avatar at size, or "" when the user has none (templates draw a letter)."""
    return stores.media_url(avatar_object_key(prefix, size)) if prefix else ""
