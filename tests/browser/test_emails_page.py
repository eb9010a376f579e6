"""The Emails settings page in Chromium: template previews at mail-client and phone widths
(screenshots kept as test artifacts), and the log driver's emails listed and readable."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS
from browser.web import Admin, Browser, new_admin
from conftest import Server
from hookwire.database import transaction
from hookwire.emails import TEMPLATES, enqueue_email

WIDTHS = (600, 375)  # a desktop mail client's column, and a phone


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_preview_fits_mail_and_phone_widths(signed_in: Page, name: str) -> None:
    page = signed_in
    folder = ARTIFACTS / "emails"
    folder.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/settings/emails/preview/{name}/html")
        expect(page.get_by_text("Hookwire", exact=True).first).to_be_visible()
        overflow = page.evaluate("document.scrollingElement.scrollWidth")
        assert overflow <= width, f"{name} scrolls sideways at {width}px ({overflow}px)"
        page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)

    page.goto(f"/settings/emails/preview/{name}")  # the page around it, still 375px wide
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Preview: {name}")
    expect(page.locator(".email-text")).to_contain_text("Sent by Hookwire.")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTHS[-1]


def test_the_log_drivers_emails_are_listed_and_readable(
    signed_in: Page, admin: Admin, server: Server
) -> None:
    page = signed_in
    sample = dict(TEMPLATES["invitation"].sample)
    with transaction(server.database.engine) as session:
        row = enqueue_email(
            session, "invitation", admin.email, sample, workspace_id=admin.workspace_id
        )
    other = new_admin(server.database)
    with transaction(server.database.engine) as session:
        hidden = enqueue_email(
            session, "invitation", other.email, sample, workspace_id=other.workspace_id
        )

    page.goto("/settings/emails")
    listed = page.locator(f'#emails tr[data-email-id="{row.id}"]')
    for _ in range(60):  # the server's runner sends it on its next poll (about a second)
        if listed.get_attribute("data-status") == "sent":
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(listed.locator(".status")).to_have_text("sent")
    expect(page.locator(f'#emails tr[data-email-id="{hidden.id}"]')).to_have_count(0)

    listed.get_by_role("link", name=row.subject).click()
    expect(page).to_have_url(re.compile(rf"/settings/emails/{row.id}$"))
    expect(page.locator(".email-text")).to_contain_text(sample["accept_url"])
    frame = page.frame_locator("iframe.email-frame")
    expect(frame.get_by_role("link", name="Accept the invitation")).to_have_attribute(
        "href", sample["accept_url"]
    )

    browser = Browser(server.base_url)
    browser.sign_in(admin.email, admin.password)
    assert browser.get(f"/settings/emails/{hidden.id}").status_code == 404
    assert browser.get(f"/settings/emails/{hidden.id}/html").status_code == 404
    assert browser.get("/settings/emails/preview/nope").status_code == 404
    assert (
        Browser(server.base_url)
        .get("/settings/emails/preview/invitation/html")
        .url.endswith("/sign-in?next=/settings/emails/preview/invitation/html")
    )
