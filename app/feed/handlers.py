"""Server-rendered feed pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Redirect, Template

from app.accounts.models import User
from app.pages import page_context
from app.posts.service import PostService
from app.posts.views import post_view
from app.settings import Settings
from app.storage.base import Stores
from realtime.hub import Hub


class FeedPages(Controller):
    include_in_schema = False

    @get("/", name="feed")
    async def index(
        self,
        request: Request,
        maybe_viewer: User | None,
        posts: PostService,
        stores: Stores,
        settings: Settings,
        hub: Hub,
        before: int | None = Parameter(default=None, ge=1),
    ) -> Template | Redirect:
        if maybe_viewer is None:
            return Redirect("/login")
        page = await posts.feed(maybe_viewer, before)
        context = page_context(
            request,
            maybe_viewer,
            posts=[post_view(p, stores) for p in page.posts],
            next_cursor=page.next_cursor,
            limits=settings.limits,
            last_event_id=hub.last_id,
        )
        return Template("feed/index.html", context=context)

    @get("/feed/page", name="feed-page")
    async def page(
        self,
        viewer: User,
        posts: PostService,
        stores: Stores,
        before: int | None = Parameter(default=None, ge=1),
    ) -> Template:
        page = await posts.feed(viewer, before)
        context = {
            "posts": [post_view(p, stores) for p in page.posts],
            "next_cursor": page.next_cursor,
        }
        return Template("feed/_page.html", context=context)

    @get("/posts/{post_id:int}", name="permalink")
    async def permalink(
        self, request: Request, post_id: int, viewer: User, posts: PostService, stores: Stores
    ) -> Template:
        post = post_view(await posts.get(post_id, viewer), stores)
        return Template("feed/permalink.html", context=page_context(request, viewer, post=post))
