"""What the browser tests read and do on Murmur's pages, named as a person would say it."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.async_api import JSHandle, Locator, Page, WebSocket, WebSocketRoute

LIVE_TIMEOUT_MS = 30_000
"""Longest wait for something that arrives over the live feed (encoding included)."""


def post(page: Page, post_id: int) -> Locator:
    return page.locator(f"#post-{post_id}")


async def wait_for_status(
    page: Page, post_id: int, status: str, timeout_ms: float = LIVE_TIMEOUT_MS
) -> Locator:
    """The post once the page shows it with status (processing, ready or failed)."""
    found = page.locator(f'#post-{post_id}[data-status="{status}"]')
    await found.wait_for(timeout=timeout_ms)
    return found


async def top_post_id(page: Page) -> int | None:
    raw = await page.evaluate("document.querySelector('#feed > .post')?.dataset.postId ?? null")
    return None if raw is None else int(raw)


async def shown_post_ids(page: Page) -> list[int]:
    ids: list[str] = await page.eval_on_selector_all(
        "#feed > .post", "posts => posts.map(p => p.dataset.postId)"
    )
    return [int(i) for i in ids]


async def open_feed(page: Page) -> None:
    """Load the feed and wait until its live socket has said hello."""
    watch = SocketWatch.of(page)
    opened_before = len(watch.sockets)
    await page.goto("/")
    await watch.wait_until(
        lambda: any(
            m["type"] == "hello" for s in watch.sockets[opened_before:] for m in s.messages
        ),
        15,
        "the live feed to say hello",
    )


async def pick_files(page: Page, *files: Path) -> None:
    """Click "Add photos or a video" and choose files in the chooser it opens."""
    async with page.expect_file_chooser() as chooser:
        await page.get_by_role("button", name="Add photos or a video").click()
    await (await chooser.value).set_files(list(files))


async def previews_decoded(page: Page) -> None:
    """Wait until every picked photo's preview in the composer has been drawn."""
    await page.wait_for_function(
        "[...document.querySelectorAll('.attachment-thumb img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )


async def drag_files_over(page: Page, target: str, *files: Path) -> JSHandle:
    """Drag files from the desktop over target (dragenter, dragover); returns the drag data.

    The DataTransfer holds real File objects made from the files' bytes, as a drag from
    a file manager would; drop_dragged releases them.
    """
    payload = [{"name": f.name, "type": _mime(f), "bytes": list(f.read_bytes())} for f in files]
    transfer = await page.evaluate_handle(
        """files => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const file = new File([new Uint8Array(f.bytes)], f.name, { type: f.type });
                transfer.items.add(file);
            }
            return transfer;
        }""",
        payload,
    )
    await page.dispatch_event(target, "dragenter", {"dataTransfer": transfer})
    await page.dispatch_event(target, "dragover", {"dataTransfer": transfer})
    return transfer


async def drop_dragged(page: Page, target: str, transfer: JSHandle) -> None:
    await page.dispatch_event(target, "drop", {"dataTransfer": transfer})


def _mime(path: Path) -> str:
    return {
        ".jpg": "image/jpeg",
        ".jpeg": "image/jpeg",
        ".png": "image/png",
        ".webp": "image/webp",
        ".mp4": "video/mp4",
    }.get(path.suffix.lower(), "application/octet-stream")


async def composer_error(page: Page) -> str:
    return (await page.locator("#composer-error").text_content() or "").strip()


async def wait_for_composer_error(page: Page, timeout_ms: float = LIVE_TIMEOUT_MS) -> str:
    await page.wait_for_function(
        "document.getElementById('composer-error').textContent.trim() !== ''",
        timeout=timeout_ms,
    )
    return await composer_error(page)


async def throttle_uploads(page: Page, bytes_per_second: int) -> None:
    """Limit how fast this page sends request bodies, for as long as the page lives."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


# -- focus -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FocusRing:
    """How the focused element shows focus: its outline, or a ring drawn as a box-shadow."""

    element: str
    outline_width: float
    outline_colour: tuple[int, int, int] | None
    shadow_colour: tuple[int, int, int] | None
    background: tuple[int, int, int]

    def visible_contrast(self) -> float:
        """Contrast of the ring against what is behind it (WCAG 2.2 asks for 3:1)."""
        candidates = []
        if self.outline_colour is not None and self.outline_width >= 2:
            candidates.append(contrast(self.outline_colour, self.background))
        if self.shadow_colour is not None:
            candidates.append(contrast(self.shadow_colour, self.background))
        return max(candidates, default=0.0)


async def focus_ring(page: Page) -> FocusRing:
    """The ring of document.activeElement (a text field's ring may be drawn by its form)."""
    data: dict[str, Any] = await page.evaluate(_FOCUS_RING)
    return FocusRing(
        element=data["element"],
        outline_width=data["outlineWidth"],
        outline_colour=_triple(data["outline"]),
        shadow_colour=_triple(data["shadow"]),
        background=_triple(data["background"]) or (255, 255, 255),
    )


def _triple(values: list[int] | None) -> tuple[int, int, int] | None:
    return None if values is None else (values[0], values[1], values[2])


# Colours come back as rgb(), or color(srgb ...) after color-mix(): a canvas reads any of
# them as bytes. The background is what shows through the element's ancestors, blended.
_FOCUS_RING = r"""() => {
    const canvas = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const bytes = css => {
        canvas.clearRect(0, 0, 1, 1);
        canvas.fillStyle = '#000';
        canvas.fillStyle = css;
        canvas.fillRect(0, 0, 1, 1);
        return [...canvas.getImageData(0, 0, 1, 1).data];
    };
    const el = document.activeElement;
    const style = getComputedStyle(el);

    const ringed = [el, el.closest('.composer')].filter(Boolean)
        .find(e => getComputedStyle(e).boxShadow !== 'none');
    let shadow = null;
    if (ringed) {
        const first = getComputedStyle(ringed).boxShadow.match(/^(rgba?\([^)]*\)|color\([^)]*\))/);
        if (first) shadow = bytes(first[1]);
    }
    const outline = style.outlineStyle === 'none' ? null : bytes(style.outlineColor);

    const layers = [];
    for (let node = el.parentElement; node; node = node.parentElement) {
        const colour = bytes(getComputedStyle(node).backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] === 255) break;
    }
    let background = [255, 255, 255];
    for (const [r, g, b, a] of layers.reverse()) {
        const k = a / 255;
        background = [r * k + background[0] * (1 - k), g * k + background[1] * (1 - k),
                      b * k + background[2] * (1 - k)].map(Math.round);
    }

    const label = el.getAttribute('aria-label');
    const name = el.id ? '#' + el.id : el.tagName.toLowerCase() + (label ? `[${label}]` : '');
    return {
        element: name,
        outlineWidth: parseFloat(style.outlineWidth) || 0,
        outline: outline && outline[3] > 0 ? outline : null,
        shadow: shadow && shadow[3] > 0 ? shadow : null,
        background,
    };
}"""


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(rgb: tuple[int, int, int]) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b_ = (channel(v) for v in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- the live socket ---------------------------------------------------------------------


@dataclass
class ReadyGate:
    """Holds back what the server says when media is ready, until the test releases it.

    The page's websocket still goes to the server (through Playwright's route), and every
    message reaches the page in order; "post.ready" and "notification" messages only wait
    until ``release``, so the processing state can be measured and photographed for as
    long as a test needs, however fast the encoder is.
    """

    held: list[str] = field(default_factory=list)
    holding: bool = True
    _sockets: list[WebSocketRoute] = field(default_factory=list)

    @classmethod
    async def install(cls, page: Page) -> ReadyGate:
        gate = cls()
        await page.route_web_socket(re.compile(r"/ws(\?|$)"), gate._route)
        return gate

    def _route(self, socket: WebSocketRoute) -> None:
        self._sockets.append(socket)
        server = socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            kind = json.loads(message).get("type") if isinstance(message, str) else None
            if self.holding and kind in ("post.ready", "notification"):
                self.held.append(str(message))
            else:
                socket.send(message)

        server.on_message(from_server)

    async def wait_until_held(self, timeout: float = 30) -> None:
        """Wait until the server has said the media is ready (the page does not know yet)."""
        deadline = time.monotonic() + timeout
        while not any('"post.ready"' in message for message in self.held):
            if time.monotonic() > deadline:
                raise AssertionError(f"no post.ready from the server within {timeout}s")
            await asyncio.sleep(0.05)

    def release(self) -> None:
        self.holding = False
        socket = self._sockets[-1]
        for message in self.held:
            socket.send(message)
        self.held.clear()


@dataclass
class Socket:
    url: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    closed: bool = False


@dataclass
class SocketWatch:
    """Every websocket a page opens, with the JSON messages it received, in order."""

    sockets: list[Socket] = field(default_factory=list)

    @classmethod
    def of(cls, page: Page) -> SocketWatch:
        """The page's watch, attached on first use (before the page opens its socket)."""
        existing = getattr(page, "_murmur_socket_watch", None)
        if existing is not None:
            return existing
        watch = cls()
        page.on("websocket", watch._opened)
        page._murmur_socket_watch = watch  # type: ignore[attr-defined]
        return watch

    def _opened(self, ws: WebSocket) -> None:
        socket = Socket(ws.url)
        self.sockets.append(socket)

        def received(payload: str | bytes) -> None:
            try:
                socket.messages.append(json.loads(payload))
            except ValueError:
                pass

        def closed(_: WebSocket) -> None:
            socket.closed = True

        ws.on("framereceived", received)
        ws.on("close", closed)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [m for s in self.sockets for m in s.messages]

    @property
    def current(self) -> Socket | None:
        return self.sockets[-1] if self.sockets else None

    async def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 30
    ) -> dict[str, Any]:
        """The first message received (so far or later) that matches."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                if match(message):
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no matching websocket message within {timeout}s; got {self.messages}"
                )
            await asyncio.sleep(0.05)

    async def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}")
            await asyncio.sleep(0.05)


# -- likes, comments, notifications ------------------------------------------------------


def like_button(page: Page, post_id: int) -> Locator:
    return post(page, post_id).locator(".post-actions [data-like]")


def like_count(page: Page, post_id: int) -> Locator:
    return like_button(page, post_id).locator("[data-like-count]")


def comment_count(page: Page, post_id: int) -> Locator:
    return post(page, post_id).locator(".post-actions [data-comment-count]")


def comments_under(page: Page, post_id: int) -> Locator:
    """The comments shown in the post's open comments section, oldest first."""
    return page.locator(f'#comments-{post_id}[data-loaded="true"] .comment')


async def open_comments(page: Page, post_id: int) -> None:
    """Click the post's comments button and wait until its section is loaded and shown."""
    await post(page, post_id).locator("[data-comments-toggle]").click()
    await page.locator(f'#comments-{post_id}[data-loaded="true"]').wait_for()


async def send_comment(page: Page, post_id: int, text: str) -> None:
    """Type a comment in the post's open comments section and press Send."""
    section = page.locator(f"#comments-{post_id}")
    await section.get_by_label("Write a comment").fill(text)
    await section.get_by_role("button", name="Send").click()


def notification_badge(page: Page) -> Locator:
    return page.locator("#notif-count")
