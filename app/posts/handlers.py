"""The posts and uploads JSON API under /api/v1."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.accounts.models import User
from app.feed.tabs import FeedTab, tab_filter
from app.posts.service import AttachmentInput, PostService
from app.posts.uploads import UploadReceiver
from app.posts.views import post_view
from app.storage.base import Stores
from app.templating import render


@dataclass
class AttachmentIn:
    upload_id: int
    alt_text: str = ""


@dataclass
class PostIn:
    text: str = ""
    attachments: list[AttachmentIn] = field(default_factory=list)


@dataclass
class PostEditIn:
    text: str


@dataclass
class UploadOut:
    id: int
    kind: str
    container: str
    width: int | None
    height: int | None
    size: int


@dataclass
class PostOut:
    post: dict[str, Any]
    html: str


@dataclass
class PostPageOut:
    posts: list[dict[str, Any]]
    next_cursor: int | None


class PostsApi(Controller):
    path = "/api/v1"
    tags = ["posts"]

    @get("/posts", summary="The feed, newest first; pass next_cursor as before= for more")
    async def list_posts(
        self,
        viewer: User,
        posts: PostService,
        stores: Stores,
        before: int | None = Parameter(default=None, ge=1),
        limit: int = Parameter(default=20, ge=1, le=100),
        feed: FeedTab = FeedTab.EVERYONE,
    ) -> PostPageOut:
        """feed=following lists only the people you follow, and your own posts."""
        page = await posts.feed(viewer, before, limit, only=tab_filter(feed, viewer))
        return PostPageOut(
            posts=[post_view(p, stores).to_json() for p in page.posts], next_cursor=page.next_cursor
        )

    @post("/posts", status_code=HTTP_201_CREATED, summary="Create a post from text and uploads")
    async def create_post(
        self, data: PostIn, viewer: User, posts: PostService, stores: Stores
    ) -> PostOut:
        wanted = [AttachmentInput(a.upload_id, a.alt_text) for a in data.attachments]
        created = await posts.create(viewer, data.text, wanted)
        view = post_view(created, stores)
        return PostOut(post=view.to_json(), html=render("feed/_post.html", post=view))

    @get("/posts/{post_id:int}", summary="One post")
    async def get_post(
        self, post_id: int, viewer: User, posts: PostService, stores: Stores
    ) -> dict[str, Any]:
        return post_view(await posts.get(post_id, viewer), stores).to_json()

    @patch("/posts/{post_id:int}", summary="Change the text of your own post")
    async def edit_post(
        self, post_id: int, data: PostEditIn, viewer: User, posts: PostService, stores: Stores
    ) -> PostOut:
        view = post_view(await posts.edit(post_id, viewer, data.text), stores)
        return PostOut(post=view.to_json(), html=render("feed/_post.html", post=view))

    @delete("/posts/{post_id:int}", status_code=HTTP_204_NO_CONTENT, summary="Delete your own post")
    async def delete_post(self, post_id: int, viewer: User, posts: PostService) -> None:
        await posts.delete(post_id, viewer)

    @post(
        "/uploads",
        status_code=HTTP_201_CREATED,
        request_max_body_size=None,  # limits depend on the kind found; UploadReceiver enforces them
        summary="Upload one image or video as the raw request body",
        description=(
            "Send the file's bytes as the body (not multipart). The kind is decided from the "
            "content. Use the returned id in the attachments of a new post."
        ),
    )
    async def upload(self, request: Request, viewer: User, uploads: UploadReceiver) -> UploadOut:
        length = request.headers.get("content-length")
        declared = int(length) if length and length.isdigit() else None
        attachment = await uploads.receive(viewer, request.stream(), declared)
        return UploadOut(
            id=attachment.id,
            kind=attachment.kind.value,
            container=attachment.container,
            width=attachment.source_width,
            height=attachment.source_height,
            size=attachment.upload_size,
        )
