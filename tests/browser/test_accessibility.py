"""What every page owes its readers, checked on busy pages in both themes: a name for every
control, alt text on every image, readable contrast, times that show the full date."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import Media
from tests.browser.feed_page import open_feed, pick_files, previews_decoded, wait_for_composer_error
from tests.browser.session import BrowserSession
from tests.murmur_client import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.stack]

RELATIVE = re.compile(r"^(just now|\d+ min ago|\d+ hours? ago|yesterday|\d+ days ago|.*\d)$")


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_feed_page_names_controls_describes_images_and_reads_clearly(
    browsing: BrowserSession, users, media: Media, scheme: str
) -> None:
    author = await users()
    photo = await author.post("A photo with nothing said about it", [media.photo])
    video = await author.post("A short clip", [media.video])
    failed = await author.post("This one will not make it", [media.broken_video])
    for created, status in ((photo, "ready"), (video, "ready"), (failed, "failed")):
        await author.wait_for_post(created["id"], status)

    page = await browsing.open("author", author, color_scheme=scheme)
    await open_feed(page)
    await pick_files(page, media.photo, media.text_as_jpg)
    await previews_decoded(page)
    await page.get_by_role("button", name="Post", exact=True).click()
    await wait_for_composer_error(page)
    await expect(page.locator(f"#post-{failed['id']} .post-failure")).to_be_visible()
    await page.get_by_role("button", name="Notifications").click()
    await browsing.shot(page, f"feed-audited-{scheme}")

    await _audit(page)
    times: list[dict[str, str]] = await page.eval_on_selector_all(
        ".post time", "els => els.map(t => ({ text: t.textContent, title: t.title }))"
    )
    assert times, "expected the posts to show when they were written"
    for time in times:
        assert RELATIVE.match(time["text"]), time
        assert re.search(r"\b20\d\d\b", time["title"]), f"expected a full date on hover: {time}"

    await page.keyboard.press("Escape")
    await page.locator(f"#post-{failed['id']}").scroll_into_view_if_needed()
    await browsing.shot(page, f"failed-post-{scheme}")

    await page.goto(f"/posts/{photo['id']}")
    await page.wait_for_function("document.querySelector('.permalink img')?.naturalWidth > 0")
    await browsing.shot(page, f"permalink-{scheme}")
    await _audit(page)

    visitor = await browsing.open("visitor", color_scheme=scheme)
    await visitor.goto("/login")
    await visitor.get_by_label("Username").fill(author.username)
    await visitor.get_by_label("Password").fill(PASSWORD + " typo")
    await visitor.get_by_role("button", name="Log in").click()
    await expect(visitor.get_by_role("alert")).to_be_visible()
    await browsing.shot(visitor, f"login-error-{scheme}")
    await _audit(visitor)


async def _audit(page: Page) -> None:
    found: dict[str, Any] = await page.evaluate(_AUDIT)
    assert found["unnamed"] == [], f"controls without an accessible name: {found['unnamed']}"
    assert found["noAlt"] == [], f"images without alt text: {found['noAlt']}"
    assert found["lowContrast"] == [], f"text below WCAG AA contrast: {found['lowContrast']}"


# Names: aria-label, aria-labelledby, a <label>, title, text or an image's alt inside.
# Contrast: every visible text node against the colours behind it (WCAG 2 AA: 4.5:1, or
# 3:1 for large text), placeholders included; disabled controls are exempt.
_AUDIT = r"""() => {
    const canvas = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgba = (css) => {
        canvas.clearRect(0, 0, 1, 1);
        canvas.fillStyle = '#000';
        canvas.fillStyle = css;
        canvas.fillRect(0, 0, 1, 1);
        return [...canvas.getImageData(0, 0, 1, 1).data];
    };
    const blend = ([r, g, b, a], under) => {
        const k = a / 255;
        return [r * k + under[0] * (1 - k), g * k + under[1] * (1 - k), b * k + under[2] * (1 - k)];
    };
    const luminance = (rgb) => {
        const [r, g, b] = rgb.map((v) => {
            const c = v / 255;
            return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    };
    const backdrop = (el) => {
        const layers = [];
        for (let node = el; node; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.backgroundImage !== 'none') return null;  // a picture or a gradient
            const colour = rgba(style.backgroundColor);
            if (colour[3] > 0) layers.push(colour);
            if (colour[3] === 255) break;
        }
        let colour = rgba(getComputedStyle(document.documentElement).backgroundColor);
        if (colour[3] < 255) colour = blend(colour, [255, 255, 255]);
        for (const layer of layers.reverse()) colour = blend(layer, colour);
        return colour;
    };
    const visible = (el) => {
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) return false;
        return el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    };
    const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
        `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;

    const nameOf = (el) => {
        if (el.getAttribute('aria-label')?.trim()) return el.getAttribute('aria-label');
        const by = el.getAttribute('aria-labelledby');
        if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ').trim();
        if (el.labels?.length) return [...el.labels].map((l) => l.textContent).join(' ').trim();
        if (el.title?.trim()) return el.title;
        const alt = [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join(' ');
        return (el.textContent + ' ' + alt).trim();
    };
    const controls = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), textarea, select, video, [role=img], [role=button]');
    const unnamed = [...controls]
        .filter((el) => el.type !== 'file' && !el.closest('[hidden]') && !nameOf(el))
        .map(describe);

    // alt="" is right only for decoration: hidden from assistive tech, or inside a
    // control that is named otherwise (the logo in the "Murmur, home" link).
    const decorative = (img) => img.closest('[aria-hidden=true], a[aria-label], button[aria-label]')
        || img.getAttribute('role') === 'presentation';
    const noAlt = [...document.images]
        .filter((img) => img.getAttribute('src'))
        .filter((img) => !img.hasAttribute('alt') || (!img.alt.trim() && !decorative(img)))
        .map((img) => `${describe(img)} src=${img.getAttribute('src').slice(0, 40)}`);

    const lowContrast = [];
    const check = (el, colourCss, what) => {
        const back = backdrop(el);
        if (!back) return;
        const fore = blend(rgba(colourCss), back);
        const style = getComputedStyle(el);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        const need = large ? 3 : 4.5;
        const got = ratio(fore, back);
        if (got < need) lowContrast.push(`${what} ${describe(el)} ${got.toFixed(2)}:1 (needs ${need})`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || seen.has(el) || !visible(el)) continue;
        if (el.closest('[disabled], [aria-disabled=true], video, noscript, .visually-hidden')) continue;
        seen.add(el);
        check(el, getComputedStyle(el).color, `"${node.textContent.trim().slice(0, 30)}"`);
    }
    for (const field of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
        if (!field.value && visible(field)) {
            check(field, getComputedStyle(field, '::placeholder').color, 'placeholder of');
        }
    }
    return { unnamed, noAlt, lowContrast };
}"""
