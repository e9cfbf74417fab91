"""Server-rendered social pages: profiles at /@username, notifications, comment lists."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import Parameter
from litestar.response import Template

from app.accounts.models import User
from app.errors import NotAuthenticated, NotFound
from app.feed.handlers import page_fragment
from app.outbox import OutboxRelay
from app.pages import page_context
from app.posts.service import PostService
from app.posts.views import post_view
from app.social import notifications
from app.social.service import SocialService, authored_by
from app.social.views import comment_view, notification_view, profile_view
from app.storage.base import Stores
from realtime.hub import Hub


def _username(handle: str) -> str:
    # One path segment serves every profile: /@alice. Anything else at the top level that
    # no other route claimed is simply not there, logged in or not.
    if not handle.startswith("@") or len(handle) < 2:
        raise NotFound("There is nothing at this address.")
    return handle[1:]


def _logged_in(viewer: User | None) -> User:
    if viewer is None:
        raise NotAuthenticated("Log in to see profiles.")
    return viewer


class SocialPages(Controller):
    include_in_schema = False

    @get("/{handle:str}", name="profile")
    async def profile(
        self,
        request: Request,
        handle: str,
        maybe_viewer: User | None,
        social: SocialService,
        posts: PostService,
        stores: Stores,
        hub: Hub,
        before: int | None = Parameter(default=None, ge=1),
    ) -> Template:
        username = _username(handle)
        viewer = _logged_in(maybe_viewer)
        user = await social.user_named(username)
        last_event_id = hub.last_id
        page = await posts.feed(viewer, before, only=authored_by(user))
        views = [post_view(p, stores) for p in page.posts]
        context = await page_context(
            request,
            viewer,
            profile=profile_view(user, await social.counts(user, viewer), stores),
            is_me=user.id == viewer.id,
            followed_by_me=await social.is_following(viewer, user),
            posts=views,
            next_cursor=page.next_cursor,
            last_event_id=last_event_id,
            live_authors=[user.id],
            liked_ids=await social.liked_among(viewer, [v.id for v in views]),
            pager_link=f"/@{user.username}?",
            pager_fragment=f"/@{user.username}/page?",
        )
        return Template("social/profile.html", context=context)

    @get("/{handle:str}/page", name="profile-page")
    async def profile_page(
        self,
        handle: str,
        maybe_viewer: User | None,
        social: SocialService,
        posts: PostService,
        stores: Stores,
        before: int | None = Parameter(default=None, ge=1),
    ) -> Template:
        username = _username(handle)
        viewer = _logged_in(maybe_viewer)
        user = await social.user_named(username)
        page = await posts.feed(viewer, before, only=authored_by(user))
        return page_fragment(page, stores)

    @get("/notifications", name="notifications")
    async def notifications_page(
        self,
        request: Request,
        viewer: User,
        relay: OutboxRelay,
        before: int | None = Parameter(default=None, ge=1),
    ) -> Template:
        """Lists them as they were (unread ones marked), then marks them all read."""
        page = await notifications.recent(viewer, before)
        views = [notification_view(n) for n in page.notifications]
        await notifications.mark_all_read(viewer, relay)
        context = await page_context(
            request, viewer, notifications=views, next_cursor=page.next_cursor
        )
        return Template("social/notifications.html", context=context)

    @get("/posts/{post_id:int}/comments", name="comments-fragment")
    async def comments_fragment(
        self,
        post_id: int,
        viewer: User,
        social: SocialService,
        stores: Stores,
        after: int | None = Parameter(default=None, ge=1),
    ) -> Template:
        page = await social.comments(viewer, post_id, after)
        context = {
            "post_id": post_id,
            "comments": [comment_view(c, page.post_author_id, stores) for c in page.comments],
            "comments_cursor": page.next_cursor,
        }
        return Template("social/_comment_list.html", context=context)
