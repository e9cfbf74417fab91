"""The social JSON API under /api/v1: profiles, follows, likes, comments, notifications."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, delete, get, patch, post, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from app.accounts.models import User
from app.errors import InvalidInput
from app.outbox import OutboxRelay
from app.posts.service import PostService
from app.posts.views import post_view
from app.social import notifications
from app.social.service import FollowState, LikeState, SocialService, authored_by
from app.social.views import comment_view, notification_view, profile_view
from app.storage.base import Stores
from app.templating import render

_MAX_LIKE_QUERY_IDS = 100


@dataclass
class ProfileOut:
    profile: dict[str, Any]
    is_me: bool
    followed_by_me: bool


@dataclass
class ProfileIn:
    display_name: str | None = None
    bio: str | None = None


@dataclass
class AvatarIn:
    upload_id: int


@dataclass
class AvatarOut:
    status: str
    """"processing": the encoder crops it; a user.updated event announces the result."""


@dataclass
class UserPostsOut:
    posts: list[dict[str, Any]]
    next_cursor: int | None


@dataclass
class CommentIn:
    text: str


@dataclass
class CommentOut:
    comment: dict[str, Any]
    html: str


@dataclass
class CommentPageOut:
    comments: list[dict[str, Any]]
    next_cursor: int | None


@dataclass
class LikedOut:
    liked: list[int]


@dataclass
class NotificationPageOut:
    notifications: list[dict[str, Any]]
    next_cursor: int | None
    unread: int


@dataclass
class ReadOut:
    marked: int
    unread: int


class SocialApi(Controller):
    path = "/api/v1"
    tags = ["social"]

    # -- profiles ----------------------------------------------------------------------

    @get("/users/{username:str}", summary="A user's profile, with counts")
    async def profile(
        self, username: str, viewer: User, social: SocialService, stores: Stores
    ) -> ProfileOut:
        user = await social.user_named(username)
        counts = await social.counts(user, viewer)
        return ProfileOut(
            profile=profile_view(user, counts, stores).to_json(),
            is_me=user.id == viewer.id,
            followed_by_me=await social.is_following(viewer, user),
        )

    @get("/users/{username:str}/posts", summary="A user's posts, newest first")
    async def user_posts(
        self,
        username: str,
        viewer: User,
        social: SocialService,
        posts: PostService,
        stores: Stores,
        before: int | None = Parameter(default=None, ge=1),
        limit: int = Parameter(default=20, ge=1, le=100),
    ) -> UserPostsOut:
        user = await social.user_named(username)
        page = await posts.feed(viewer, before, limit, only=authored_by(user))
        return UserPostsOut(
            posts=[post_view(p, stores).to_json() for p in page.posts],
            next_cursor=page.next_cursor,
        )

    @patch("/me", summary="Change your display name and/or bio")
    async def update_me(
        self, data: ProfileIn, viewer: User, social: SocialService, stores: Stores
    ) -> ProfileOut:
        user = await social.update_profile(viewer, data.display_name, data.bio)
        counts = await social.counts(user, viewer)
        return ProfileOut(
            profile=profile_view(user, counts, stores).to_json(), is_me=True, followed_by_me=False
        )

    @put(
        "/me/avatar",
        status_code=HTTP_202_ACCEPTED,
        summary="Make an upload your profile picture",
        description=(
            "Upload the photo with POST /api/v1/uploads first. The encoder crops it square "
            "(96 and 400 px WebP); a user.updated socket message says when it shows."
        ),
    )
    async def set_avatar(self, data: AvatarIn, viewer: User, social: SocialService) -> AvatarOut:
        await social.set_avatar(viewer, data.upload_id)
        return AvatarOut(status="processing")

    @delete("/me/avatar", status_code=HTTP_204_NO_CONTENT, summary="Remove your profile picture")
    async def remove_avatar(self, viewer: User, social: SocialService) -> None:
        await social.remove_avatar(viewer)

    # -- follows -----------------------------------------------------------------------

    @put("/users/{username:str}/follow", summary="Follow a user (again is a no-op)")
    async def follow(self, username: str, viewer: User, social: SocialService) -> FollowState:
        return await social.follow(viewer, username)

    @delete(
        "/users/{username:str}/follow",
        status_code=200,
        summary="Stop following a user (a no-op if you do not)",
    )
    async def unfollow(self, username: str, viewer: User, social: SocialService) -> FollowState:
        return await social.unfollow(viewer, username)

    # -- likes -------------------------------------------------------------------------

    @put("/posts/{post_id:int}/like", summary="Like a post (again is a no-op)")
    async def like(self, post_id: int, viewer: User, social: SocialService) -> LikeState:
        return await social.like(viewer, post_id)

    @delete(
        "/posts/{post_id:int}/like", status_code=200, summary="Take back a like (a no-op if none)"
    )
    async def unlike(self, post_id: int, viewer: User, social: SocialService) -> LikeState:
        return await social.unlike(viewer, post_id)

    @get("/me/likes", summary="Which of the given posts you have liked")
    async def my_likes(
        self,
        viewer: User,
        social: SocialService,
        post_ids: str = Parameter(description="comma-separated post ids, at most 100"),
    ) -> LikedOut:
        return LikedOut(liked=await social.liked_among(viewer, _id_list(post_ids)))

    # -- comments ----------------------------------------------------------------------

    @get("/posts/{post_id:int}/comments", summary="Comments under a post, oldest first")
    async def list_comments(
        self,
        post_id: int,
        viewer: User,
        social: SocialService,
        stores: Stores,
        after: int | None = Parameter(default=None, ge=1),
        limit: int = Parameter(default=50, ge=1, le=100),
    ) -> CommentPageOut:
        page = await social.comments(viewer, post_id, after, limit)
        return CommentPageOut(
            comments=[
                comment_view(c, page.post_author_id, stores).to_json() for c in page.comments
            ],
            next_cursor=page.next_cursor,
        )

    @post(
        "/posts/{post_id:int}/comments",
        status_code=HTTP_201_CREATED,
        summary="Comment on a post (up to 500 characters)",
    )
    async def create_comment(
        self, post_id: int, data: CommentIn, viewer: User, social: SocialService, stores: Stores
    ) -> CommentOut:
        comment = await social.comment(viewer, post_id, data.text)
        view = comment_view(comment, comment.post.author_id, stores)
        return CommentOut(comment=view.to_json(), html=render("social/_comment.html", comment=view))

    @delete(
        "/comments/{comment_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        summary="Delete a comment: your own, or any under your post",
    )
    async def delete_comment(self, comment_id: int, viewer: User, social: SocialService) -> None:
        await social.delete_comment(viewer, comment_id)

    # -- notifications -----------------------------------------------------------------

    @get("/notifications", summary="Your notifications, newest first")
    async def list_notifications(
        self, viewer: User, before: int | None = Parameter(default=None, ge=1)
    ) -> NotificationPageOut:
        page = await notifications.recent(viewer, before)
        return NotificationPageOut(
            notifications=[notification_view(n).to_json() for n in page.notifications],
            next_cursor=page.next_cursor,
            unread=await notifications.unread_count(viewer.id),
        )

    @post("/notifications/read", status_code=200, summary="Mark all your notifications read")
    async def read_notifications(self, viewer: User, relay: OutboxRelay) -> ReadOut:
        marked = await notifications.mark_all_read(viewer, relay)
        return ReadOut(marked=marked, unread=await notifications.unread_count(viewer.id))


def _id_list(raw: str) -> list[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if len(parts) > _MAX_LIKE_QUERY_IDS:
        raise InvalidInput(f"Ask about at most {_MAX_LIKE_QUERY_IDS} posts; got {len(parts)}.")
    if not all(part.isdigit() for part in parts):
        raise InvalidInput(f"post_ids is a comma-separated list of numbers, got {raw[:50]!r}.")
    return [int(part) for part in parts]
