"""One browser test's pages: a context per person, screenshots of its steps, traces on failure.

Everything a test leaves behind goes under ``test-artifacts/browser/<test name>/``:
``NN-<step>.png`` for each step it photographs (numbered in the order taken), and, only
when the test failed, ``trace-<page label>.zip`` for each browser context it opened
(``.venv/bin/playwright show-trace <file>`` replays it). The folder is emptied when the
test starts, so what is there always belongs to the latest run.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from playwright.async_api import Browser, BrowserContext, Page

from tests.murmur_client import MurmurClient

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_ROOT = REPO_ROOT / "test-artifacts" / "browser"

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

ColorScheme = Literal["light", "dark"]


def artifact_dir(test_name: str) -> Path:
    """The test's own folder, emptied; parametrised names keep their id in a safe form."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
    folder = ARTIFACTS_ROOT / safe
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@dataclass
class _Opened:
    label: str
    context: BrowserContext
    page: Page


@dataclass
class BrowserSession:
    """The pages one test opens in the shared browser, each in a context of its own."""

    browser: Browser
    base_url: str
    folder: Path
    _opened: list[_Opened] = field(default_factory=list)
    _shots: int = 0

    async def open(
        self,
        label: str,
        user: MurmurClient | None = None,
        *,
        viewport: dict[str, int] = DESKTOP,
        color_scheme: ColorScheme = "light",
        **context_options: Any,
    ) -> Page:
        """A fresh context (its own cookies) with one page; logged in as user if given."""
        context = await self.browser.new_context(
            base_url=self.base_url,
            viewport=viewport,
            color_scheme=color_scheme,
            locale="en-GB",
            timezone_id="Europe/London",
            **context_options,
        )
        await context.tracing.start(title=label, screenshots=True, snapshots=True)
        if user is not None:
            await context.add_cookies(
                [
                    {"name": cookie.name, "value": cookie.value, "url": self.base_url}
                    for cookie in user.http.cookies.jar
                ]
            )
        page = await context.new_page()
        self._opened.append(_Opened(label, context, page))
        return page

    async def shot(self, page: Page, step: str, *, full_page: bool = False) -> Path:
        """Save a screenshot of the page as the next numbered step."""
        self._shots += 1
        path = self.folder / f"{self._shots:02d}-{step}.png"
        await page.screenshot(path=path, full_page=full_page, animations="disabled")
        return path

    async def close(self, failed: bool) -> None:
        """Close every context; keep each one's trace only if the test failed."""
        for opened in self._opened:
            try:
                if failed:
                    trace = self.folder / f"trace-{opened.label}.zip"
                    await opened.context.tracing.stop(path=trace)
                else:
                    await opened.context.tracing.stop()
            finally:
                await opened.context.close()
        self._opened.clear()
