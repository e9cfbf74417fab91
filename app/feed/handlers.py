"""Server-rendered feed pages."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Redirect, Template

from app.accounts.models import User
from app.feed.tabs import FeedTab, parse_tab, tab_filter
from app.pages import page_context
from app.posts.service import FeedPage, PostService
from app.posts.views import post_view
from app.settings import Settings
from app.social.service import SocialService
from app.social.views import comment_view
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
        social: SocialService,
        stores: Stores,
        settings: Settings,
        hub: Hub,
        before: int | None = Parameter(default=None, ge=1),
        tab: str | None = Parameter(default=None, max_length=20),
    ) -> Template | Redirect:
        if maybe_viewer is None:
            return Redirect("/login")
        # Read before the posts: an event in between is replayed (and deduplicated), not lost.
        last_event_id = hub.last_id
        followed = await social.followed_ids(maybe_viewer)
        chosen = parse_tab(tab, bool(followed))

        page = await posts.feed(maybe_viewer, before, only=tab_filter(chosen, maybe_viewer))
        views = [post_view(p, stores) for p in page.posts]
        context = await page_context(
            request,
            maybe_viewer,
            posts=views,
            next_cursor=page.next_cursor,
            limits=settings.limits,
            last_event_id=last_event_id,
            before=before,
            tab=chosen.value,
            follows_anyone=bool(followed),
            live_authors=[*followed, maybe_viewer.id] if chosen == FeedTab.FOLLOWING else None,
            liked_ids=await social.liked_among(maybe_viewer, [v.id for v in views]),
            pager_link=f"/?tab={chosen.value}&",
            pager_fragment=f"/feed/page?tab={chosen.value}&",
        )
        return Template("feed/index.html", context=context)

    @get("/feed/page", name="feed-page")
    async def page(
        self,
        viewer: User,
        posts: PostService,
        stores: Stores,
        before: int | None = Parameter(default=None, ge=1),
        tab: str = Parameter(default=FeedTab.EVERYONE.value, max_length=20),
    ) -> Template:
        chosen = parse_tab(tab, follows_anyone=False)
        page = await posts.feed(viewer, before, only=tab_filter(chosen, viewer))
        return page_fragment(page, stores)

    @get("/posts/{post_id:int}", name="permalink")
    async def permalink(
        self,
        request: Request,
        post_id: int,
        viewer: User,
        posts: PostService,
        social: SocialService,
        stores: Stores,
        hub: Hub,
    ) -> Template:
        last_event_id = hub.last_id
        post = await posts.get(post_id, viewer)
        comments = await social.comments(viewer, post_id)
        context = await page_context(
            request,
            viewer,
            post=post_view(post, stores),
            comments=[comment_view(c, comments.post_author_id, stores) for c in comments.comments],
            comments_cursor=comments.next_cursor,
            liked_ids=await social.liked_among(viewer, [post_id]),
            last_event_id=last_event_id,
        )
        return Template("feed/permalink.html", context=context)


def page_fragment(page: FeedPage, stores: Stores) -> Template:
    """A page of posts as the HTML fragment that "load more" appends."""
    context = {"posts": [post_view(p, stores) for p in page.posts], "next_cursor": page.next_cursor}
    return Template("feed/_page.html", context=context)
