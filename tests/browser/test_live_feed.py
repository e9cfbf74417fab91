"""The live feed across replicas: posts from elsewhere, the new-posts pill, resuming after a stop."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.async_api import expect

from stack.services import Stack
from tests.browser.conftest import Media
from tests.browser.feed_page import (
    SocketWatch,
    open_feed,
    pick_files,
    post,
    shown_post_ids,
    top_post_id,
    wait_for_status,
)
from tests.browser.session import BrowserSession
from tests.topology.conftest import user_on

pytestmark = [pytest.mark.browser, pytest.mark.stack]

RESUME_WITHIN_S = 5.0


async def test_post_on_one_replica_goes_live_on_the_other_or_waits_behind_a_pill(
    browsing: BrowserSession, users, media: Media
) -> None:
    author = await user_on(users, "web-1")
    reader = await user_on(users, "web-2")
    for n in range(1, 7):  # enough below the top for the reader to scroll away from it
        await author.post(f"An earlier thought, number {n}")

    author_page = await browsing.open("author", author)
    reader_page = await browsing.open("reader", reader, color_scheme="dark")
    await open_feed(author_page)
    await open_feed(reader_page)
    reader_hello = await SocketWatch.of(reader_page).wait_for(lambda m: m["type"] == "hello")
    author_hello = await SocketWatch.of(author_page).wait_for(lambda m: m["type"] == "hello")
    assert (author_hello["replica"], reader_hello["replica"]) == ("web-1", "web-2")

    await author_page.get_by_label("Post text").fill("Fresh from replica one 🌤")
    await pick_files(author_page, media.photo)
    await author_page.get_by_role("button", name="Post", exact=True).click()
    await author_page.locator("#composer-files").wait_for(state="hidden")
    post_id = await top_post_id(author_page)
    assert post_id is not None

    await post(reader_page, post_id).wait_for()
    assert await top_post_id(reader_page) == post_id
    await wait_for_status(reader_page, post_id, "ready")
    await reader_page.wait_for_function(
        f"document.querySelector('#post-{post_id} img')?.naturalWidth > 0"
    )
    await expect(post(reader_page, post_id).locator(".post-delete")).to_be_hidden()
    await browsing.shot(reader_page, "arrived-live-on-the-other-replica")

    await reader_page.evaluate("window.scrollTo(0, 1500)")
    await reader_page.wait_for_function("window.scrollY > 300")
    later = await author.post("Posted while you were reading further down")
    pill = reader_page.get_by_role("button", name="1 new post")
    await expect(pill).to_be_visible()
    assert await post(reader_page, later["id"]).count() == 0
    await browsing.shot(reader_page, "new-posts-pill")

    await pill.click()
    await expect(post(reader_page, later["id"])).to_be_visible()
    assert await top_post_id(reader_page) == later["id"]
    await expect(pill).to_be_hidden()
    await expect(post(reader_page, later["id"])).to_be_focused()
    await reader_page.wait_for_function("window.scrollY === 0")
    await browsing.shot(reader_page, "pill-clicked")


async def test_live_feed_resumes_on_the_other_replica_with_what_it_missed_once(
    browsing: BrowserSession, users, media: Media, topology: Stack
) -> None:
    reader = await user_on(users, "web-1")
    other = await user_on(users, "web-2")
    page = await browsing.open("reader", reader)
    watch = SocketWatch.of(page)
    await open_feed(page)
    assert (await watch.wait_for(lambda m: m["type"] == "hello"))["replica"] == "web-1"
    first = watch.current
    assert first is not None

    seen = await other.post("Before the outage")
    await post(page, seen["id"]).wait_for()

    # Offline holds the gap open while the missed posts become ready; the socket itself
    # is ended by web-1 going away.
    await page.context.set_offline(True)
    await asyncio.to_thread(topology.stop, "web-1")
    try:
        await watch.wait_until(lambda: first.closed, 10, "web-1's socket to close")
        missed = [
            await other.post("During the outage, a photo", [media.photo]),
            await reader.post("During the outage, my own photo", [media.second_photo]),
            await other.post("During the outage, just words"),
        ]
        for created in missed:
            await other.wait_for_post(created["id"])
        await page.get_by_role("status").filter(has_text="Live updates paused").wait_for()
        await browsing.shot(page, "offline-banner")

        await page.context.set_offline(False)
        back_at = time.monotonic()
        await watch.wait_until(
            lambda: any(m["type"] == "hello" for s in watch.sockets[1:] for m in s.messages),
            RESUME_WITHIN_S,
            "the page to reconnect",
        )
        resumed_in = time.monotonic() - back_at
        resumed = next(s for s in watch.sockets[1:] if s.messages)
        assert resumed.messages[0]["replica"] == "web-2"
        last = parse_qs(urlsplit(resumed.url).query).get("last")
        assert last and int(last[0]) >= max(m["id"] for m in first.messages if "id" in m)

        for created in missed:
            await wait_for_status(page, created["id"], "ready", timeout_ms=10_000)
        await expect(
            page.get_by_role("status").filter(has_text="Live updates paused")
        ).to_be_hidden()
        # They came by replay on the new socket, not by reloading the page.
        replayed = {(m["type"], m.get("post_id")) for m in resumed.messages}
        for created in missed:
            assert ("post.created", created["id"]) in replayed, resumed.messages
        for photo in missed[:2]:
            assert ("post.ready", photo["id"]) in replayed, resumed.messages
        shown = await shown_post_ids(page)
        expected = [c["id"] for c in reversed(missed)] + [seen["id"]]
        assert shown[:4] == expected, f"resumed in {resumed_in:.1f}s; feed starts {shown[:6]}"
        assert len(shown) == len(set(shown)), "a post is shown twice"
        await expect(page.locator(".toast").filter(has_text="Your post is ready.")).to_have_count(1)
        await expect(page.locator("#notif-list li")).to_have_count(1)
        await browsing.shot(page, "resumed-on-web-2")
    finally:
        await asyncio.to_thread(topology.start, "web-1")
