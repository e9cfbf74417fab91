"""The composer: picking, dropping and removing files, upload progress, refusals, keyboard use."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Media
from tests.browser.feed_page import (
    FocusRing,
    ReadyGate,
    drag_files_over,
    drop_dragged,
    focus_ring,
    open_feed,
    pick_files,
    post,
    previews_decoded,
    shown_post_ids,
    throttle_uploads,
    top_post_id,
    wait_for_composer_error,
    wait_for_status,
)
from tests.browser.session import BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.stack]

UPLOAD_BYTES_PER_S = 16 * 1024 * 1024
"""Slow enough that the 36 MB test video takes about two seconds to send."""


async def test_composer_photos_picked_dropped_and_removed_post_what_is_left(
    browsing: BrowserSession, users, media: Media
) -> None:
    page = await browsing.open("author", await users())
    await open_feed(page)
    rows = page.locator("#composer-files .attachment")

    await page.get_by_label("Post text").fill("Two views of the same grey afternoon")
    await pick_files(page, media.photo, media.tall_photo)
    await expect(rows).to_have_count(2)
    await previews_decoded(page)
    await browsing.shot(page, "two-photos-picked")

    await page.get_by_role("button", name=f"Remove {media.tall_photo.name}").click()
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text(media.photo.name)
    # Focus lands on the next remove button, not back on <body>.
    await expect(page.get_by_role("button", name=f"Remove {media.photo.name}")).to_be_focused()

    transfer = await drag_files_over(page, "#composer", media.second_photo)
    await expect(page.locator(".drop-overlay")).to_be_visible()
    await browsing.shot(page, "dragging-a-photo-over")
    await drop_dragged(page, "#composer", transfer)
    await expect(page.locator(".drop-overlay")).to_be_hidden()
    await expect(rows).to_have_count(2)
    await previews_decoded(page)

    await page.get_by_label(f"Alt text for {media.photo.name}").fill("A grey square, red corner")
    await page.get_by_label(f"Alt text for {media.second_photo.name}").fill("The same, as WebP")
    await browsing.shot(page, "ready-to-post")
    await page.get_by_role("button", name="Post", exact=True).click()

    await expect(rows).to_have_count(0)
    await expect(page.get_by_label("Post text")).to_have_value("")
    post_id = await top_post_id(page)
    assert post_id is not None
    ready = await wait_for_status(page, post_id, "ready")
    await expect(ready.locator(".post-text")).to_have_text("Two views of the same grey afternoon")
    images = ready.locator(".media-item img")
    await expect(images).to_have_count(2)
    assert await images.evaluate_all("imgs => imgs.map(i => i.alt)") == [
        "A grey square, red corner",
        "The same, as WebP",
    ]
    await page.wait_for_function(
        f"[...document.querySelectorAll('#post-{post_id} .media-item img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    await browsing.shot(page, "posted-and-ready")


async def test_composer_large_video_upload_shows_its_progress_advancing(
    browsing: BrowserSession, users, media: Media
) -> None:
    page = await browsing.open("author", await users())
    gate = await ReadyGate.install(page)
    await open_feed(page)

    await page.get_by_label("Post text").fill("Four seconds of static")
    await pick_files(page, media.large_video)
    await page.wait_for_function(
        "document.querySelector('.attachment-thumb video')?.readyState >= 1"
    )
    await browsing.shot(page, "video-picked")

    await throttle_uploads(page, UPLOAD_BYTES_PER_S)
    await page.evaluate(_RECORD_PROGRESS)
    await page.get_by_role("button", name="Post", exact=True).click()

    progress = page.get_by_role("progressbar", name=f"Upload progress of {media.large_video.name}")
    await expect(progress).to_be_visible()
    await page.wait_for_function("document.querySelector('.attachment progress')?.value > 35")
    total = f"{media.large_video.stat().st_size / 1024**2:.1f}".removesuffix(".0")
    await expect(page.locator(".attachment-status")).to_have_text(
        re.compile(rf"^Uploading… [\d.]+ MB of {re.escape(total)} MB$")
    )
    await browsing.shot(page, "uploading")

    await page.wait_for_function("document.getElementById('composer-files').hidden")
    samples: list[dict[str, Any]] = await page.evaluate("window.__progress")

    shown = [s["value"] for s in samples if s["visible"] and s["value"] is not None]
    moving = sorted({round(v) for v in shown if 0 < v < 100})
    assert len(moving) >= 5, f"expected the bar to pass through several values, saw {shown}"
    assert shown == sorted(shown), f"expected the bar never to go back, saw {shown}"
    # Progress events come every 50 ms or so; the last one may fall short of 100 %.
    assert max(shown) >= 90, f"expected the bar to come near the end, saw {shown}"

    post_id = await top_post_id(page)
    assert post_id is not None
    await wait_for_status(page, post_id, "processing")
    await browsing.shot(page, "posted-processing")
    gate.release()
    ready = await wait_for_status(page, post_id, "ready", timeout_ms=60_000)
    await expect(ready.locator("video.media-video")).to_be_visible()


# Every 50 ms, whether the upload bar is visible and where it stands (null: indeterminate).
_RECORD_PROGRESS = """() => {
    window.__progress = [];
    const sample = () => {
        const bar = document.querySelector('.attachment progress');
        if (bar) {
            const visible = !bar.hidden && bar.getBoundingClientRect().width > 0;
            const value = bar.hasAttribute('value') ? bar.value : null;
            window.__progress.push({ visible, value });
        }
    };
    setInterval(sample, 50);
}"""


async def test_composer_undecodable_or_too_large_file_says_why_and_posts_nothing(
    browsing: BrowserSession, users, media: Media
) -> None:
    page = await browsing.open("author", await users())
    await open_feed(page)
    me = await page.evaluate("document.body.dataset.userId")
    before = await shown_post_ids(page)

    await pick_files(page, media.text_as_jpg)
    await page.get_by_role("button", name="Post", exact=True).click()
    message = await wait_for_composer_error(page)
    assert message.startswith(f"Couldn't upload “{media.text_as_jpg.name}”:"), message
    assert "not an image or video we can read" in message, message
    assert "Please upload JPEG, PNG" in message, message
    await browsing.shot(page, "text-file-named-jpg")
    await page.get_by_role("button", name=f"Remove {media.text_as_jpg.name}").click()

    await pick_files(page, media.cut_video)
    await page.get_by_role("button", name="Post", exact=True).click()
    message = await wait_for_composer_error(page)
    assert message == (
        f"Couldn't upload “{media.cut_video.name}”: "
        "This video could not be read; the file may be damaged or incomplete."
    ), message
    await browsing.shot(page, "damaged-video")
    await page.get_by_role("button", name=f"Remove {media.cut_video.name}").click()

    # Too large: the composer knows the limit and refuses before sending a byte.
    await pick_files(page, media.big_jpg)
    message = await wait_for_composer_error(page)
    assert message == f"“{media.big_jpg.name}” is 25 MB; images can be up to 20 MB.", message
    await expect(page.locator("#composer-files .attachment")).to_have_count(0)
    await browsing.shot(page, "too-large-refused-by-composer")

    # A composer that did not know the limit: the server's 413 must still read plainly.
    await page.add_init_script(_FORGET_IMAGE_LIMIT)
    await open_feed(page)
    await pick_files(page, media.big_jpg)
    await page.get_by_role("button", name="Post", exact=True).click()
    message = await wait_for_composer_error(page)
    assert message == (
        f"Couldn't upload “{media.big_jpg.name}”: Images can be at most 20 MB; this file is larger."
    ), message
    await browsing.shot(page, "too-large-refused-by-server")

    await page.reload()
    assert await page.locator(f'.post[data-author-id="{me}"]').count() == 0
    assert await shown_post_ids(page) == before


# Raise the composer's image limit before its script reads it (the page is parsed by then).
# Rewriting the HTML in a route would not do: Chromium treats a document served by the
# test as outside the local network and blocks its websocket to 127.0.0.1.
_FORGET_IMAGE_LIMIT = """document.addEventListener("readystatechange", () => {
    const composer = document.getElementById("composer");
    if (document.readyState === "interactive" && composer) {
        composer.dataset.maxImageBytes = "1000000000";
    }
});"""


async def test_composer_keyboard_only_posts_with_focus_always_visible(
    browsing: BrowserSession, users, media: Media
) -> None:
    page = await browsing.open("author", await users())
    await open_feed(page)
    rings: list[FocusRing] = []

    async def tab(*keys: str) -> FocusRing:
        for key in keys:
            await page.keyboard.press(key)
        ring = await focus_ring(page)
        rings.append(ring)
        return ring

    # From the top of the page to the text box, with nothing but Tab.
    for _ in range(12):
        if (await tab("Tab")).element == "#composer-text":
            break
    else:
        pytest.fail(f"Tab never reached the post text; went through {rings}")
    await browsing.shot(page, "focus-on-text")
    await page.keyboard.type("Typed without touching the mouse")

    assert (await tab("Tab")).element == "#composer-pick"
    async with page.expect_file_chooser() as chooser:
        await page.keyboard.press("Enter")
    await (await chooser.value).set_files(media.photo)
    await expect(page.locator("#composer-files .attachment")).to_have_count(1)

    assert (await tab("Shift+Tab")).element.startswith("button[Remove ")
    assert (await tab("Shift+Tab")).element == "input"
    await page.keyboard.type("Grey, with a red corner")
    for _ in range(3):
        ring = await tab("Tab")
    assert ring.element == "#composer-submit", rings
    await browsing.shot(page, "focus-on-post-button")
    await page.keyboard.press("Enter")

    await expect(page.locator("#composer-files .attachment")).to_have_count(0)
    first = await top_post_id(page)
    assert first is not None
    await expect(post(page, first).locator(".post-text")).to_have_text(
        "Typed without touching the mouse"
    )
    await expect(page.get_by_label("Post text")).to_be_focused()

    await page.keyboard.type("And this one went with Ctrl+Enter")
    await page.keyboard.press("Control+Enter")
    await expect(post(page, first).locator("xpath=preceding-sibling::article[1]")).to_contain_text(
        "And this one went with Ctrl+Enter"
    )
    ready = await wait_for_status(page, first, "ready")
    await expect(ready.locator("img")).to_have_attribute("alt", "Grey, with a red corner")
    await browsing.shot(page, "posted-by-keyboard")

    for ring in rings:
        assert ring.visible_contrast() >= 3, f"focus barely visible on {ring}"
