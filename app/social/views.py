"""What templates, socket messages and the JSON API show of comments, profiles and
notifications: plain, viewer-neutral values (the browser decides which buttons to show)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup

from app.accounts.models import User
from app.posts.models import Notification
from app.posts.text import text_to_html
from app.social.avatars import LARGE, SMALL, avatar_url
from app.social.models import Comment
from app.social.service import ProfileCounts
from app.storage.base import Stores


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _display(moment: datetime) -> str:
    return moment.strftime("%-d %B %Y, %H:%M UTC")


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    bio: str
    avatar_url: str
    """96 px square, or "" for the initial-letter avatar."""
    avatar_large_url: str
    profile_url: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def user_view(user: User, stores: Stores) -> UserView:
    return UserView(
        id=user.id,
        username=user.username,
        display_name=user.display_name or user.username,
        bio=user.bio,
        avatar_url=avatar_url(user.avatar_key, stores, SMALL),
        avatar_large_url=avatar_url(user.avatar_key, stores, LARGE),
        profile_url=f"/@{user.username}",
    )


@dataclass(frozen=True)
class ProfileView:
    user: UserView
    posts: int
    followers: int
    following: int

    def to_json(self) -> dict[str, Any]:
        return {**self.user.to_json(), "posts": self.posts, "followers": self.followers,
                "following": self.following}  # fmt: skip


def profile_view(user: User, counts: ProfileCounts, stores: Stores) -> ProfileView:
    return ProfileView(
        user=user_view(user, stores),
        posts=counts.posts,
        followers=counts.followers,
        following=counts.following,
    )


@dataclass(frozen=True)
class CommentView:
    id: int
    post_id: int
    post_author_id: int
    author: UserView
    text: str
    text_html: Markup
    created_at: str
    created_at_display: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("text_html")
        return data


def comment_view(comment: Comment, post_author_id: int, stores: Stores) -> CommentView:
    """View of a comment fetched with its author loaded."""
    return CommentView(
        id=comment.id,
        post_id=comment.post_id,  # type: ignore[attr-defined]
        post_author_id=post_author_id,
        author=user_view(comment.author, stores),
        text=comment.text,
        text_html=text_to_html(comment.text),
        created_at=_iso(comment.created_at),
        created_at_display=_display(comment.created_at),
    )


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    text: str
    post_id: int | None
    href: str
    unread: bool
    created_at: str
    created_at_display: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def notification_view(note: Notification) -> NotificationView:
    return NotificationView(
        id=note.id,
        kind=note.kind,
        text=note.text,
        post_id=note.post_id,
        href=f"/posts/{note.post_id}" if note.post_id else "",
        unread=note.read_at is None,
        created_at=_iso(note.created_at),
        created_at_display=_display(note.created_at),
    )
