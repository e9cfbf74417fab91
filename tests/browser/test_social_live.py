"""Likes, comments and notifications seen live by the author while someone on the other replica acts."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import Page, expect

from tests.browser.feed_page import (
    SocketWatch,
    comment_count,
    comments_under,
    like_button,
    like_count,
    notification_badge,
    open_comments,
    open_feed,
    post,
    send_comment,
)
from tests.browser.session import BrowserSession
from tests.topology.conftest import user_on

pytestmark = [pytest.mark.browser, pytest.mark.stack]

COMMENT = "Lovely words <b>hi</b> 👋"
"""Markup in a comment must show as typed, never as bold text."""


async def _post_through_composer(page: Page, text: str) -> int:
    await page.get_by_label("Post text").fill(text)
    await page.get_by_role("button", name="Post", exact=True).click()
    mine = page.locator("#feed > .post").filter(has_text=text)
    await mine.wait_for()
    return int(await mine.get_attribute("data-post-id") or "0")


async def _mark_loaded(page: Page) -> None:
    # A reload would start a new document without this mark.
    await page.evaluate("window.__murmurSameDocument = true")


async def _still_same_document(page: Page) -> bool:
    return bool(await page.evaluate("window.__murmurSameDocument === true"))


async def test_like_and_comment_from_other_replica_show_live_to_author_with_badge_and_toast(
    browsing: BrowserSession, users
) -> None:
    author = await user_on(users, "web-1")
    liker = await user_on(users, "web-2")
    author_page = await browsing.open("author", author)
    liker_page = await browsing.open("liker", liker)
    await open_feed(author_page)
    await open_feed(liker_page)
    author_hello = await SocketWatch.of(author_page).wait_for(lambda m: m["type"] == "hello")
    liker_hello = await SocketWatch.of(liker_page).wait_for(lambda m: m["type"] == "hello")
    assert (author_hello["replica"], liker_hello["replica"]) == ("web-1", "web-2")

    post_id = await _post_through_composer(author_page, f"Who likes this? {secrets.token_hex(3)}")
    await post(liker_page, post_id).wait_for()
    await open_comments(author_page, post_id)
    await _mark_loaded(author_page)
    await expect(like_count(author_page, post_id)).to_have_text("0")
    await expect(notification_badge(author_page)).to_be_hidden()

    # A like on web-2 reaches the author's page on web-1: count, badge and toast.
    await like_button(liker_page, post_id).click()
    await expect(like_count(author_page, post_id)).to_have_text("1")
    await expect(notification_badge(author_page)).to_have_text("1")
    await expect(notification_badge(author_page)).to_be_visible()
    liked_toast = author_page.locator(".toast").filter(
        has_text=f"@{liker.username} liked your post."
    )
    await expect(liked_toast).to_be_visible()
    await browsing.shot(author_page, "author-sees-like-badge-and-toast")
    await expect(like_count(liker_page, post_id)).to_have_text("1")
    await expect(like_button(liker_page, post_id)).to_have_attribute("aria-pressed", "true")
    await browsing.shot(liker_page, "liker-sees-own-like")

    # A comment typed on web-2 appears under the open post on web-1, markup shown as typed.
    await open_comments(liker_page, post_id)
    await send_comment(liker_page, post_id, COMMENT)
    await expect(comments_under(liker_page, post_id)).to_have_count(1)
    await expect(comments_under(author_page, post_id)).to_have_count(1)
    shown = comments_under(author_page, post_id).first
    await expect(shown.locator(".comment-text")).to_have_text(COMMENT)
    await expect(shown.locator(".comment-text b")).to_have_count(0)
    await expect(shown.locator(".display-name")).to_have_text(liker.username)
    await expect(comment_count(author_page, post_id)).to_have_text("1")
    await expect(notification_badge(author_page)).to_have_text("2")
    commented_toast = author_page.locator(".toast").filter(
        has_text=f"@{liker.username} commented on your post"
    )
    await expect(commented_toast).to_be_visible()
    await browsing.shot(author_page, "author-sees-comment-badge-and-toast")
    await expect(comments_under(liker_page, post_id).first.locator(".comment-text")).to_have_text(
        COMMENT
    )
    await expect(comment_count(liker_page, post_id)).to_have_text("1")
    await browsing.shot(liker_page, "liker-sees-own-comment")

    # Unliking on web-2 takes the author's count back down; no new notification for it.
    await like_button(liker_page, post_id).click()
    await expect(like_button(liker_page, post_id)).to_have_attribute("aria-pressed", "false")
    await expect(like_count(liker_page, post_id)).to_have_text("0")
    await expect(like_count(author_page, post_id)).to_have_text("0")
    await expect(notification_badge(author_page)).to_have_text("2")
    await browsing.shot(author_page, "author-sees-unlike")
    assert await _still_same_document(author_page), "the author's page was reloaded"
