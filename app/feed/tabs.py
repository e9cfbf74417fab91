"""The feed's two tabs: Following (people the viewer follows, and their own posts) and
Everyone (every post the viewer may see)."""

from __future__ import annotations

from enum import StrEnum

from tortoise.expressions import Q

from app.accounts.models import User
from app.errors import InvalidInput
from app.social.service import following_feed


class FeedTab(StrEnum):
    FOLLOWING = "following"
    EVERYONE = "everyone"


def parse_tab(value: str | None, follows_anyone: bool) -> FeedTab:
    """The tab asked for; without one, Following for people who follow someone."""
    if not value:
        return FeedTab.FOLLOWING if follows_anyone else FeedTab.EVERYONE
    try:
        return FeedTab(value)
    except ValueError as exc:
        raise InvalidInput(
            f"The feed tab is 'following' or 'everyone', not {value[:30]!r}."
        ) from exc


def tab_filter(tab: FeedTab, viewer: User) -> Q | None:
    return following_feed(viewer) if tab == FeedTab.FOLLOWING else None
