"""The Connected accounts page (/settings/accounts) in Chromium, against the shared test server
on SQLite and PostgreSQL, connecting to real servers on loopback: Dovecot (IMAP), aiosmtpd
(SMTP) and Radicale (CalDAV). A wrong password is named and the form kept (without it); a
working account is listed with its three channels, tested again, and disconnected through the
confirmation dialog. The page fits 1280 px and 390 px, light and dark (screenshots kept as test
artifacts), and never holds a password."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from browser.conftest import ARTIFACTS
from browser.web import Admin, Browser
from conftest import Server
from hookwire.database import transaction
from hookwire.identity import create_user
from mail_servers import AccountServers, Mailbox, account_servers, new_mailbox
from oauth_support import admin_client

LOOKS = [(1280, "light"), (1280, "dark"), (390, "light"), (390, "dark")]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture(scope="module")
def servers() -> Iterator[AccountServers]:
    with account_servers() as running:
        yield running


def fill(page: Page, servers: AccountServers, mailbox: Mailbox, imap_password: str) -> None:
    form = page.locator("#connect-account")
    form.get_by_label("E-mail address").fill(mailbox.handle)
    form.locator("[name=imap_host]").fill(servers.imap.host)
    form.locator("[name=imap_port]").fill(str(servers.imap.port))
    form.locator("[name=imap_secure]").uncheck()  # the test Dovecot has no TLS
    form.locator("[name=imap_password]").fill(imap_password)
    form.locator("[name=smtp_host]").fill("127.0.0.1")
    form.locator("[name=smtp_port]").fill(str(servers.smtp.port))
    form.locator("[name=smtp_secure]").uncheck()
    form.locator("[name=smtp_password]").fill("smtp-unused")  # aiosmtpd asks for no login
    form.locator("[name=caldav_host]").fill(servers.caldav.url)
    form.locator("[name=caldav_username]").fill(mailbox.caldav_user)
    form.locator("[name=caldav_password]").fill(mailbox.caldav_password)


def holds_no_password(page: Page, passwords: list[str]) -> None:
    html = page.content()
    for password in passwords:
        assert password not in html, "a password is in the page"


def look(page: Page, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the page scrolls sideways at {width}px"
    folder = ARTIFACTS / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"accounts-{width}-{scheme}.png"), full_page=True)


def someone_elses_account(server: Server, admin: Admin, servers: AccountServers) -> str:
    """An account of another user of the same workspace, connected over REST: its handle."""
    client = admin_client(server, admin)
    with transaction(server.database.engine) as session:
        email = f"colleague-{secrets.token_hex(4)}@example.com"
        colleague = create_user(session, admin.workspace_id, email, "colleague password 1").id
    mailbox = new_mailbox(servers)
    answer = client.post(
        "/rest/metadata/connectedAccounts",
        json={
            "handle": mailbox.handle,
            "provider": "imap_smtp_caldav",
            "accountOwnerId": colleague,
            "connectionParameters": {
                "IMAP": {
                    "host": servers.imap.host,
                    "port": servers.imap.port,
                    "secure": False,
                    "password": mailbox.imap_password,
                }
            },
        },
    )
    assert answer.status_code == 201, answer.text
    return mailbox.handle


def test_connect_test_again_and_disconnect_an_account(
    signed_in: Page, server: Server, admin: Admin, servers: AccountServers
) -> None:
    page = signed_in
    hidden = someone_elses_account(server, admin, servers)
    mailbox = new_mailbox(servers)
    wrong = f"wrong-{secrets.token_urlsafe(10)}"
    passwords = [*mailbox.passwords(), wrong, "smtp-unused"]

    page.get_by_role("link", name="Connected accounts").click()
    page.wait_for_url("**/settings/accounts")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connected accounts")
    expect(page.locator("#accounts")).to_contain_text("No account connected yet.")
    expect(page.locator("#accounts")).not_to_contain_text(hidden)  # only one's own accounts

    # A wrong IMAP password: named, and the form comes back filled in, without the passwords.
    fill(page, servers, mailbox, wrong)
    page.get_by_role("button", name="Test and connect").click()
    error = page.get_by_role("alert")
    expect(error).to_contain_text("IMAP")
    expect(error).to_contain_text("refused the login")
    expect(error).not_to_contain_text("CALDAV")
    form = page.locator("#connect-account")
    expect(form.get_by_label("E-mail address")).to_have_value(mailbox.handle)
    expect(form.locator("[name=imap_port]")).to_have_value(str(servers.imap.port))
    expect(form.locator("[name=imap_secure]")).not_to_be_checked()
    expect(form.locator("[name=smtp_port]")).to_have_value(str(servers.smtp.port))
    expect(form.locator("[name=caldav_host]")).to_have_value(servers.caldav.url)
    expect(form.locator("[name=caldav_username]")).to_have_value(mailbox.caldav_user)
    for service in ("imap", "smtp", "caldav"):
        expect(form.locator(f"[name={service}_password]")).to_have_value("")
    holds_no_password(page, passwords)
    expect(page.locator("#accounts")).to_contain_text("No account connected yet.")

    form.locator("[name=imap_password]").fill(mailbox.imap_password)
    form.locator("[name=smtp_password]").fill("smtp-unused")
    form.locator("[name=caldav_password]").fill(mailbox.caldav_password)
    page.get_by_role("button", name="Test and connect").click()
    expect(page.get_by_role("status")).to_have_text("Account connected: every service answered.")
    row = page.locator("#accounts tbody tr", has_text=mailbox.handle)
    expect(row).to_have_count(1)
    for kind in ("messaging", "sending", "calendar"):
        expect(row.locator(f"[data-channel={kind}] .status")).to_have_text("active")
    holds_no_password(page, passwords)

    row.get_by_role("button", name="Test again").click()
    expect(page.get_by_role("status")).to_contain_text("Connection tested")
    expect(row.locator(".status")).to_have_text(["active", "active", "active"])
    for width, scheme in LOOKS:
        look(page, width, scheme)
    page.set_viewport_size({"width": 1280, "height": 900})
    holds_no_password(page, passwords)

    row.get_by_role("button", name="Disconnect").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text(f"Disconnect {mailbox.handle}?")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/settings/accounts\?notice=disconnected"))
    expect(page.get_by_role("status")).to_contain_text("Account disconnected")
    expect(row).to_have_count(0)
    expect(page.locator("#accounts")).to_contain_text("No account connected yet.")


def test_the_page_acts_only_on_ones_own_accounts(
    server: Server, admin: Admin, servers: AccountServers
) -> None:
    """A colleague's account (same workspace) cannot be tested or disconnected through the
    page, even by an admin who knows its id: only the REST API, with a key, manages it."""
    hidden = someone_elses_account(server, admin, servers)
    client = admin_client(server, admin)
    [account] = client.get("/rest/metadata/connectedAccounts").json()["data"]["connectedAccounts"]
    assert account["handle"] == hidden
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, admin.password).status_code in (302, 303)
    for action in ("test", "delete"):
        answer = browser.form_post(
            "/settings/accounts",
            f"/settings/accounts/{account['id']}/{action}",
            allow_redirects=False,
        )
        assert answer.status_code == 404, (action, answer.status_code)
    still = client.get(f"/rest/metadata/connectedAccounts/{account['id']}")
    assert still.status_code == 200
    assert still.json()["data"]["connectedAccount"]["updatedAt"] == account["updatedAt"]
