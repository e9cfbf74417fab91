"""The feed on a phone-sized screen, in the light and the dark theme."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Media
from tests.browser.feed_page import open_feed, pick_files, post, previews_decoded
from tests.browser.session import PHONE, BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_phone_feed_is_one_column_without_sideways_scrolling(
    browsing: BrowserSession, users, media: Media, scheme: str
) -> None:
    author = await users()
    # What most often pushes a column wider than the screen: unbroken words and links.
    await author.post("https://example.org/" + "a-rather-long-path-segment/" * 8)
    await author.post("Supercalifragilisticexpialidocious" * 6)
    photo = await author.post("A tall photo on a small screen", [media.tall_photo])
    await author.wait_for_post(photo["id"])

    page = await browsing.open(
        "phone", author, viewport=PHONE, color_scheme=scheme, is_mobile=True, has_touch=True
    )
    await open_feed(page)
    await pick_files(page, media.photo)
    await previews_decoded(page)
    await browsing.shot(page, f"phone-top-{scheme}")

    layout: dict[str, Any] = await page.evaluate(_LAYOUT)
    assert layout["scrollWidth"] <= layout["innerWidth"], layout
    assert layout["overflowing"] == [], f"wider than the screen: {layout['overflowing']}"
    columns = {(round(p["left"]), round(p["right"])) for p in layout["posts"]}
    assert len(columns) == 1, f"expected the posts in one column, got {columns}"
    ((left, right),) = columns
    assert 0 <= left and right <= layout["innerWidth"], columns
    assert right - left >= layout["innerWidth"] - 40, "expected the column to use the width"

    await post(page, photo["id"]).scroll_into_view_if_needed()
    await page.wait_for_function(
        f"document.querySelector('#post-{photo['id']} img')?.naturalWidth > 0"
    )
    await browsing.shot(page, f"phone-photo-post-{scheme}")


# Every visible element whose box reaches past the right edge of the screen, unless an
# ancestor below <body> clips it (body's own overflow-x: hidden would hide real overflow).
_LAYOUT = """() => {
    const width = window.innerWidth;
    const clipped = (el) => {
        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return true;
        }
        return false;
    };
    const overflowing = [...document.body.querySelectorAll('*')]
        .filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.height > 0 && r.right > width + 0.5 && !clipped(el);
        })
        .map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${el.getBoundingClientRect().right}`);
    const posts = [...document.querySelectorAll('#feed > .post')].map((p) => {
        const r = p.getBoundingClientRect();
        return { left: r.left, right: r.right };
    });
    return { innerWidth: width, scrollWidth: document.scrollingElement.scrollWidth, overflowing, posts };
}"""
