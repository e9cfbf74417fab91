"""A page whose session has ended stops retrying its live socket and says why."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import WebSocketRoute, expect

from tests.browser.feed_page import open_feed
from tests.browser.session import BrowserSession

pytestmark = [pytest.mark.browser, pytest.mark.stack]


async def test_page_logged_out_elsewhere_offers_to_log_in_instead_of_retrying(
    browsing: BrowserSession, users
) -> None:
    user = await users()
    page = await browsing.open("reader", user)
    routes: list[WebSocketRoute] = []

    def pass_through(socket: WebSocketRoute) -> None:
        routes.append(socket)
        socket.connect_to_server()

    await page.route_web_socket(re.compile(r"/ws(\?|$)"), pass_through)
    await open_feed(page)

    # Log out in "another tab", then drop the connection as a restarting replica would.
    response = await user.http.delete("/api/v1/session", headers=await user.headers())
    assert response.status_code == 204
    await routes[-1].close(code=1012, reason="service restart")

    banner = page.get_by_text("You have been logged out.")
    await expect(banner).to_be_visible(timeout=15_000)
    await browsing.shot(page, "logged-out-banner")
    attempts = len(routes)
    await page.get_by_role("button", name="Log in again").click()
    await expect(page).to_have_url("/login")
    assert len(routes) == attempts, "the page kept reconnecting after being told to log in"
