"""Signing up, logging out and logging in, through the pages."""

from __future__ import annotations

import secrets

import pytest
from playwright.async_api import expect

from tests.browser.session import BrowserSession
from tests.murmur_client import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.stack]


async def test_sign_up_log_out_log_in_wrong_password_says_so(browsing: BrowserSession) -> None:
    page = await browsing.open("visitor")
    username = f"b_{secrets.token_hex(4)}"

    await page.goto("/")
    await expect(page).to_have_url("/login")
    await page.get_by_role("link", name="Create an account").click()
    await expect(page.get_by_role("heading", name="Join Murmur")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await browsing.shot(page, "signup-filled")
    await page.get_by_role("button", name="Create account").click()

    await expect(page).to_have_url("/")
    await expect(page.get_by_text(f"@{username}", exact=True)).to_be_visible()
    await expect(page.get_by_label("Post text")).to_be_visible()
    await browsing.shot(page, "signed-up-feed")

    await page.get_by_role("button", name="Log out").click()
    await expect(page).to_have_url("/login")
    await expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()

    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Log in").click()
    alert = page.get_by_role("alert")
    await expect(alert).to_have_text("That username and password do not match an account.")
    # The name is kept, so only the password needs typing again.
    await expect(page.get_by_label("Username")).to_have_value(username)
    await expect(page.get_by_label("Password")).to_be_focused()
    await browsing.shot(page, "wrong-password")

    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url("/")
    await expect(page.get_by_text(f"@{username}", exact=True)).to_be_visible()


async def test_sign_up_taken_username_says_so_and_keeps_it(browsing: BrowserSession, users) -> None:
    taken = (await users()).username
    page = await browsing.open("visitor")

    await page.goto("/signup")
    await page.get_by_label("Username").fill(taken)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()

    await expect(page.get_by_role("alert")).to_contain_text(taken)
    await expect(page.get_by_label("Username")).to_have_value(taken)
    await browsing.shot(page, "username-taken")
