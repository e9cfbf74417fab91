"""Fixtures of the browser tests: Debian's Chromium, driven by Playwright, through Nginx.

The tests run against the production topology the launcher starts (two replicas behind
Nginx, Kafka, MariaDB, S3, two encoders), as tests/topology does, and open pages at
Nginx's address, as a person would.

Playwright's async API is used, not pytest-playwright's fixtures: those are the sync API,
which leaves its own event loop marked as running in the main thread between calls, so
every pytest-asyncio test that runs after it in the same session fails with "Runner.run()
cannot be called from a running event loop". The async API runs on the suite's session
loop, beside everything else. One browser serves the whole session; each test opens
contexts of its own (see tests/browser/session.py for where screenshots and traces go).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from stack.services import Stack
from tests import media_factory as make
from tests.browser.session import BrowserSession, artifact_dir
from tests.murmur_client import MurmurClient, client_factory
from tests.topology.conftest import in_thread

CHROMIUM = os.environ.get("MURMUR_CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium (installed by the launcher); Playwright's own download is not needed."""

CHROMIUM_ARGS = [
    "--no-sandbox",  # the tests run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    # Fixtures learn from this whether the test itself failed, to keep its traces.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def topology() -> Stack:
    stack = Stack.from_env()
    in_thread(stack.up)
    return stack


@pytest.fixture(scope="session")
def nginx_url(topology: Stack) -> str:
    return topology.url("nginx")


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"expected Chromium at {CHROMIUM}; `python -m stack install` installs it")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
async def browsing(
    request: pytest.FixtureRequest, chromium: Browser, nginx_url: str
) -> AsyncIterator[BrowserSession]:
    """This test's pages, screenshots and (on failure) traces."""
    session = BrowserSession(chromium, nginx_url, artifact_dir(request.node.name))
    yield session
    report = getattr(request.node, "report_call", None)
    await session.close(failed=report is None or report.failed)


@pytest.fixture
async def users(nginx_url: str) -> AsyncIterator[Callable[[], Awaitable[MurmurClient]]]:
    """Factory of people signed up through the API (through Nginx), for set-up."""
    async with client_factory(nginx_url) as make:
        yield make


class Media:
    """Files a person might pick, made once per session (small, except where size matters)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.photo = make.small_photo(_sub(folder, "photo"), 640, 480)
        self.second_photo = make.webp_photo(_sub(folder, "webp"), 640, 480)
        self.tall_photo = make.small_photo(_sub(folder, "tall"), 600, 800)
        self.video = make.landscape_video(_sub(folder, "video"), 3, 640, 360)
        self.text_as_jpg = make.text_named_jpg(_sub(folder, "text"))
        self.cut_video = make.truncated_video(_sub(folder, "cut"))
        self.broken_video = make.corrupt_video(_sub(folder, "broken"))
        self.big_jpg = _oversized_jpeg(folder, self.photo, 25 * 1024 * 1024)
        self.large_video = _noise_video(folder, seconds=4)


def _sub(folder: Path, name: str) -> Path:
    path = folder / name
    path.mkdir(exist_ok=True)
    return path


def _oversized_jpeg(folder: Path, photo: Path, size: int) -> Path:
    """A real JPEG's first 4 KB (so it sniffs as a JPEG) padded past the 20 MB image limit."""
    path = folder / "holiday.jpg"
    head = photo.read_bytes()[:4096]
    with path.open("wb") as out:
        out.write(head)
        out.truncate(size)
    return path


def _noise_video(folder: Path, seconds: int) -> Path:
    """A 640x360 lossless H.264 MP4 of random grey noise: about 9 MB a second, in ~1 s.

    Noise does not compress, so a few seconds make an upload large enough to watch its
    progress bar move, while the encoder's work on it stays short.
    """
    path = folder / f"noise_{seconds}s.mp4"
    make.ffmpeg(
        "-f", "lavfi", "-i", "nullsrc=s=640x360:r=25,geq=lum='random(1)*255':cb=128:cr=128",
        "-t", str(seconds),
        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-pix_fmt", "yuv420p",
        str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> Media:
    return Media(tmp_path_factory.mktemp("browser-media"))
