"""A post's media on the page: processing in place without layout shift, then playing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import expect

from tests import media_factory as make
from tests.browser.conftest import Media
from tests.browser.feed_page import (
    ReadyGate,
    open_feed,
    pick_files,
    post,
    top_post_id,
    wait_for_status,
)
from tests.browser.session import BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.mark.parametrize("kind", ["photo", "video"])
async def test_new_post_processes_in_place_without_layout_shift_then_notifies(
    browsing: BrowserSession, users, media: Media, kind: str
) -> None:
    file: Path = media.tall_photo if kind == "photo" else media.video
    width, height = (600, 800) if kind == "photo" else (640, 360)
    page = await browsing.open("author", await users())
    gate = await ReadyGate.install(page)
    await open_feed(page)

    await page.get_by_label("Post text").fill(f"A {kind}, straight from the composer")
    await pick_files(page, file)
    await page.get_by_role("button", name="Post", exact=True).click()
    await page.locator("#composer-files").wait_for(state="hidden")
    post_id = await top_post_id(page)
    assert post_id is not None
    processing = await wait_for_status(page, post_id, "processing")
    await expect(processing.locator(".media-placeholder")).to_have_attribute(
        "aria-label", f"{'Image' if kind == 'photo' else 'Video'} still processing"
    )
    before: dict[str, Any] = await page.evaluate(_MEASURE_AND_WATCH_SHIFTS, post_id)
    box = before["box"]
    assert box["width"] / box["height"] == pytest.approx(width / height, rel=0.01), box
    await browsing.shot(page, "processing")

    await gate.wait_until_held()
    gate.release()
    ready = await wait_for_status(page, post_id, "ready")
    if kind == "photo":
        media_element = ready.locator(".media-item img")
        await page.wait_for_function(
            f"document.querySelector('#post-{post_id} .media-item img')?.naturalWidth > 0"
        )
    else:
        media_element = ready.locator(".media-item video")
        await page.wait_for_function(
            f"document.querySelector('#post-{post_id} video')?.readyState >= 1"
        )
        duration = await media_element.evaluate("v => v.duration")
        assert duration == pytest.approx(3, abs=0.2)
    await expect(media_element).to_be_visible()
    after: dict[str, Any] = await page.evaluate(_MEASURE, post_id)

    assert after["box"] == pytest.approx(box, abs=0.5), "the media box moved or changed size"
    if before["next"] is not None:
        assert after["next"] == pytest.approx(before["next"], abs=0.5), "the post below moved"
    assert after["shifts"] == [], "the page's layout shifted while the post turned ready"

    toast = page.locator(".toast").filter(has_text="Your post is ready.")
    await expect(toast).to_be_visible()
    await expect(toast.get_by_role("link", name="View post")).to_have_attribute(
        "href", f"/posts/{post_id}"
    )
    await expect(page.locator("#notif-count")).to_have_text("1")
    await browsing.shot(page, "ready-with-notification")

    await page.get_by_role("button", name="Notifications, 1 unread").click()
    await expect(page.locator("#notif-list li")).to_have_count(1)
    await expect(page.locator("#notif-list li")).to_contain_text("Your post is ready.")
    await browsing.shot(page, "notification-list")


# Geometry in document coordinates, leaving out transforms: a new post slides in with a
# short transform animation that moves its painted box but not its place in the layout.
# Layout shifts are recorded from the first measurement on.
_MEASURE_AND_WATCH_SHIFTS = """(postId) => {
    window.__shifts = [];
    new PerformanceObserver((list) => {
        for (const shift of list.getEntries()) window.__shifts.push(shift.value);
    }).observe({ type: 'layout-shift' });
    window.__measure = (postId) => {
        const post = document.getElementById(`post-${postId}`);
        const at = (el) => {
            const r = el.getBoundingClientRect(), p = post.getBoundingClientRect();
            return { x: post.offsetLeft + r.left - p.left, y: post.offsetTop + r.top - p.top,
                     width: r.width, height: r.height };
        };
        const next = post.nextElementSibling;
        return { box: at(post.querySelector('.media-item')),
                 next: next ? { x: next.offsetLeft, y: next.offsetTop } : null };
    };
    return window.__measure(postId);
}"""

_MEASURE = """(postId) => ({ ...window.__measure(postId), shifts: window.__shifts })"""


async def test_video_shows_its_poster_then_plays(
    browsing: BrowserSession, users, media: Media
) -> None:
    author = await users()
    created = await author.post("Three seconds of test pattern", [media.video])
    await author.wait_for_post(created["id"])
    page = await browsing.open("viewer", await users())
    await open_feed(page)

    video = post(page, created["id"]).locator("video.media-video")
    await expect(video).to_be_visible()
    poster = await video.get_attribute("poster")
    assert poster, "expected the video to have a poster"
    response = await page.request.get(poster)
    assert response.ok and response.headers["content-type"].startswith("image/"), response
    assert await video.evaluate("v => v.paused && v.currentTime === 0")
    await video.scroll_into_view_if_needed()
    await page.wait_for_function(
        """id => {
            const img = new Image();
            img.src = document.querySelector(`#post-${id} video`).poster;
            return img.complete && img.naturalWidth > 0;
        }""",
        arg=created["id"],
    )
    await browsing.shot(page, "poster-before-play")
    # The test pattern's red mark sits in the picture's top-left corner: seeing it there
    # before playing means the poster, not a black box, is on screen.
    frame = Image.open(io.BytesIO(await video.screenshot()))
    assert make.is_close(make.corner_colours(frame)["top_left"], make.RED, 60), (
        f"expected the poster's red corner, got {make.corner_colours(frame)}"
    )

    await video.click()
    await page.wait_for_function(
        "id => { const v = document.querySelector(`#post-${id} video`);"
        " return !v.paused && v.currentTime > 0.5; }",
        arg=created["id"],
        timeout=15_000,
    )
    await browsing.shot(page, "playing")
