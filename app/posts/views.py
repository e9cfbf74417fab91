"""What templates and the JSON API show of a post: plain, viewer-neutral values."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from markupsafe import Markup

from app.posts.models import Attachment, Post, PostStatus
from app.posts.text import text_to_html
from app.social.avatars import avatar_url
from app.storage.base import Stores


@dataclass(frozen=True)
class AttachmentView:
    id: int
    kind: str
    ready: bool
    url: str
    thumb_url: str
    width: int
    height: int
    alt: str
    mime_type: str
    duration_s: float | None
    byte_size: int | None


@dataclass(frozen=True)
class PostView:
    id: int
    author_id: int
    author_username: str
    author_display_name: str
    text: str
    text_html: Markup
    created_at: str
    created_at_display: str
    status: str
    failure_reason: str
    permalink: str
    attachments: list[AttachmentView] = field(default_factory=list)
    author_avatar_url: str = ""
    like_count: int = 0
    comment_count: int = 0
    edited: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("text_html")
        return data


def attachment_view(attachment: Attachment, stores: Stores, author_username: str) -> AttachmentView:
    ready = bool(attachment.media_key)
    width = attachment.width if ready else attachment.source_width
    height = attachment.height if ready else attachment.source_height
    return AttachmentView(
        id=attachment.id,
        kind=attachment.kind.value,
        ready=ready,
        url=stores.media_url(attachment.media_key) if ready else "",
        thumb_url=stores.media_url(attachment.thumb_key) if attachment.thumb_key else "",
        width=width or 1,
        height=height or 1,
        alt=attachment.alt_text or f"Media attached to a post by @{author_username}",
        mime_type=attachment.mime_type,
        duration_s=attachment.duration_s,
        byte_size=attachment.byte_size,
    )


def post_view(post: Post, stores: Stores) -> PostView:
    """View of a post fetched with its author and attachments already loaded."""
    author = post.author
    attachments = list(post.attachments)
    return PostView(
        id=post.id,
        author_id=author.id,
        author_username=author.username,
        author_display_name=author.display_name or author.username,
        text=post.text,
        text_html=text_to_html(post.text),
        created_at=post.created_at.isoformat().replace("+00:00", "Z"),
        created_at_display=post.created_at.strftime("%-d %B %Y, %H:%M UTC"),
        status=post.status.value,
        failure_reason=post.failure_reason if post.status == PostStatus.FAILED else "",
        permalink=f"/posts/{post.id}",
        attachments=[attachment_view(a, stores, author.username) for a in attachments],
        author_avatar_url=avatar_url(author.avatar_key, stores),
        like_count=post.like_count,
        comment_count=post.comment_count,
        edited=post.edited_at is not None,
    )
