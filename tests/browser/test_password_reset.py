"""A forgotten password in Chromium, with a real SMTP server (aiosmtpd on loopback): from the
sign-in page's link through the link in the email that arrives to signed in with the new
password, a "password changed" email after it; the used link is refused. The forgot and
reset pages are shot at desktop and phone widths, light and dark, as test artifacts."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS, MailedServer, mailed_link
from browser.web import PASSWORD, new_admin

NEW_PASSWORD = "a brand new password, long enough"
RESET_LINK = re.compile(r"https?://\S+/reset-password\?token=[\w-]+")
# The "password changed" email links to the form, for a change its recipient did not make.
FORGOT_LINK = re.compile(r"https?://\S+/forgot-password\b")
LOOKS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _shoot(page: Page, name: str) -> None:
    """Screenshots of the page in every look; none may scroll sideways."""
    folder = ARTIFACTS / "account"
    folder.mkdir(parents=True, exist_ok=True)
    for width, scheme in LOOKS:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{name} scrolls sideways at {width}px"
        page.screenshot(path=str(folder / f"{name}-{width}-{scheme}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.emulate_media(color_scheme="light")


def _sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_reset_through_the_emailed_link(
    open_page: Callable[..., Page], mailed: MailedServer
) -> None:
    server = mailed.server
    admin = new_admin(server.database)
    page = open_page(server)
    page.goto("/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_url("**/forgot-password")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgot your password?")
    _shoot(page, "forgot-password")
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text(admin.email)
    _shoot(page, "forgot-password-sent")

    link = mailed_link(mailed.smtp, admin.email, RESET_LINK)
    assert link.startswith(server.base_url)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    _shoot(page, "reset-password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    page.wait_for_url("**/sign-in?notice=password-reset")
    expect(page.get_by_role("status")).to_have_text(
        "Your password was changed. Sign in with the new one."
    )

    _sign_in(page, admin.email, PASSWORD)
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail address or password.")
    _sign_in(page, admin.email, NEW_PASSWORD)
    page.wait_for_url("**/settings/apis")
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    assert (
        mailed_link(mailed.smtp, admin.email, FORGOT_LINK) == server.base_url + "/forgot-password"
    )

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link can't be used")
    expect(page.locator("#link-problem")).to_contain_text("already been used")
    _shoot(page, "reset-link-used")
