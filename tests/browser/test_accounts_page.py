"""The Connected accounts page (/settings/accounts) in Chromium, against the shared test server
on SQLite and PostgreSQL, connecting to real servers on loopback: Dovecot (IMAP), aiosmtpd
(SMTP) and Radicale (CalDAV). A wrong password is named and the form kept (without it); a
working account is listed with its three channels, tested again, and disconnected through the
confirmation dialog. A connected account syncs (its channels show when), syncs again on
"Sync now" (refused while it waits for a new password), and keeps the import settings chosen
for its mailbox (a bad blocklist line is named). The page fits 1280 px and 390 px, light and
dark (screenshots kept as test artifacts), and never holds a password."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from browser.conftest import ARTIFACTS
from browser.web import Admin, Browser
from conftest import Server
from hookwire.database import transaction
from hookwire.identity import create_user
from hookwire.models import AccountChannel
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


def look(page: Page, width: int, scheme: str, name: str = "accounts") -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the page scrolls sideways at {width}px"
    folder = ARTIFACTS / "accounts"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{width}-{scheme}.png"), full_page=True)


def connect(page: Page, servers: AccountServers, mailbox: Mailbox) -> Locator:
    """Connect ``mailbox`` through the page's form: its row in the list."""
    page.goto("/settings/accounts")
    fill(page, servers, mailbox, mailbox.imap_password)
    page.get_by_role("button", name="Test and connect").click()
    expect(page.get_by_role("status")).to_contain_text("Account connected")
    return page.locator("#accounts tbody tr", has_text=mailbox.handle)


def last_synced(row: Locator, kind: str) -> str | None:
    """When the row's ``kind`` channel last synced, to the microsecond; None before its first
    sync."""
    synced = row.locator(f"[data-channel={kind}] .last-synced")
    expect(synced).to_contain_text("Last synced")
    time_tag = synced.locator("time")
    return time_tag.get_attribute("datetime") if time_tag.count() else None


def wait_for_sync(page: Page, row: Locator, kind: str, before: str | None) -> str:
    """Reload the page until the ``kind`` channel shows a sync later than ``before``."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        page.reload()
        synced = last_synced(row, kind)
        if synced is not None and synced != before:
            return synced
        time.sleep(0.2)
    raise AssertionError(f"the {kind} channel shows no sync after {before}")


def import_form(row: Locator) -> Locator:
    """The row's import settings, unfolded."""
    details = row.locator("details.import-settings")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details.locator("form")


def fits(page: Page, row: Locator) -> None:
    """Every control of the account's row lies inside the viewport, none hidden."""
    width = page.viewport_size["width"]
    controls = row.locator("button, select, textarea, summary")
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        assert box is not None and box["width"] > 0, f"control {index} is hidden"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"control {index} overflows"


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
    expect(page.get_by_role("status")).to_have_text(
        "Account connected: every service answered. Its mail and events are on their way."
    )
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
    expect(page.get_by_role("status")).to_contain_text("messages and events")
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
    for action in ("test", "sync", "messaging", "delete"):
        answer = browser.form_post(
            "/settings/accounts",
            f"/settings/accounts/{account['id']}/{action}",
            allow_redirects=False,
        )
        assert answer.status_code == 404, (action, answer.status_code)
    still = client.get(f"/rest/metadata/connectedAccounts/{account['id']}")
    assert still.status_code == 200
    assert still.json()["data"]["connectedAccount"]["updatedAt"] == account["updatedAt"]


def test_an_account_syncs_now_and_keeps_its_import_settings(
    signed_in: Page, server: Server, admin: Admin, servers: AccountServers
) -> None:
    page = signed_in
    mailbox = new_mailbox(servers)
    row = connect(page, servers, mailbox)
    expect(row.locator("[data-channel=sending] .last-synced")).to_have_count(0)  # never syncs
    # Connecting starts the first import; Sync now starts another once it is done.
    first = {kind: wait_for_sync(page, row, kind, None) for kind in ("messaging", "calendar")}
    row.get_by_role("button", name="Sync now").click()
    expect(page.get_by_role("status")).to_have_text(
        "Sync started: new mail and events appear in a moment."
    )
    for kind in ("messaging", "calendar"):
        wait_for_sync(page, row, kind, first[kind])

    form = import_form(row)
    expect(form.get_by_label("Create contacts from")).to_have_value("SENT")  # the default
    form.get_by_label("Create contacts from").select_option(label="everyone I correspond with")
    form.get_by_label("Blocklist").fill("Spam@Example.com\n\n@ads.example.org\n")
    form.get_by_role("button", name="Save import settings").click()
    expect(page.get_by_role("status")).to_contain_text("Import settings saved")
    page.reload()
    form = import_form(row)
    expect(form.get_by_label("Create contacts from")).to_have_value("FROM_AND_TO")
    expect(form.get_by_label("Blocklist")).to_have_value("@ads.example.org\nspam@example.com")
    [account] = (
        admin_client(server, admin)
        .get("/rest/metadata/connectedAccounts")
        .json()["data"]["connectedAccounts"]
    )
    [messaging] = [c for c in account["channels"] if c["type"] == "messaging"]
    assert messaging["contactAutoCreationPolicy"] == "FROM_AND_TO"
    assert messaging["blocklist"] == ["@ads.example.org", "spam@example.com"]

    # A line that is neither an address nor a domain: named by its line, the form as typed.
    form.get_by_label("Create contacts from").select_option(label="nobody")
    typed = "ada@example.com\n\nnot an address"
    form.get_by_label("Blocklist").fill(typed)
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        form.get_by_role("button", name="Save import settings").click()
    assert posted.value.status == 400
    expect(row.get_by_role("alert")).to_have_text(
        "Blocklist, line 3: expected an address (ada@example.com) or a domain (@example.com), "
        "got 'not an address'"
    )
    form = import_form(row)
    expect(form.get_by_label("Create contacts from")).to_have_value("NONE")
    expect(form.get_by_label("Blocklist")).to_have_value(typed)
    page.goto("/settings/accounts")
    form = import_form(row)
    expect(form.get_by_label("Create contacts from")).to_have_value("FROM_AND_TO")  # unchanged

    for width, scheme in LOOKS:
        look(page, width, scheme, "sync-and-import")
        fits(page, row)


def test_sync_now_is_refused_while_the_account_waits_for_its_new_password(
    signed_in: Page, server: Server, servers: AccountServers
) -> None:
    page = signed_in
    row = connect(page, servers, new_mailbox(servers))
    account_id = row.get_attribute("data-account-id")
    for kind in ("messaging", "calendar"):  # the first import done: it writes no status after
        wait_for_sync(page, row, kind, None)
    # As after repeated refused logins: the syncs stop until the password is changed.
    with transaction(server.database.engine) as session:
        session.execute(
            sa.update(AccountChannel)
            .where(AccountChannel.connected_account_id == account_id)
            .values(status="needs_reauthentication", next_sync_at=None)
        )
    page.reload()
    with page.expect_response(lambda answer: answer.request.method == "POST") as posted:
        row.get_by_role("button", name="Sync now").click()
    assert posted.value.status == 409
    expect(page.get_by_role("alert")).to_contain_text("needs its new password before it can sync")
    with transaction(server.database.engine, write=False) as session:
        channels = session.execute(
            sa.select(AccountChannel.kind, AccountChannel.next_sync_at).where(
                AccountChannel.connected_account_id == account_id
            )
        ).all()
    assert channels and all(next_sync_at is None for _, next_sync_at in channels)

    # Connecting the same address again, with the new password, is how the page gives it.
    mailbox_handle = row.locator("td").first.inner_text().split()[0]
    page.goto("/settings/accounts")
    connect_again = new_mailbox(servers)  # only its CalDAV login is reused below
    form = page.locator("#connect-account")
    form.get_by_label("E-mail address").fill(mailbox_handle)
    form.locator("[name=imap_host]").fill(servers.imap.host)
    form.locator("[name=imap_port]").fill(str(servers.imap.port))
    form.locator("[name=imap_secure]").uncheck()
    changed = f"pw-{secrets.token_urlsafe(12)}"
    servers.imap.add_user(mailbox_handle.split("@")[0], changed)
    form.locator("[name=imap_password]").fill(changed)
    form.locator("[name=caldav_host]").fill(servers.caldav.url)
    form.locator("[name=caldav_username]").fill(connect_again.caldav_user)
    form.locator("[name=caldav_password]").fill(connect_again.caldav_password)
    page.get_by_role("button", name="Test and connect").click()
    expect(page.get_by_role("status")).to_contain_text("Account connected")
    expect(page.locator("#accounts tbody tr", has_text=mailbox_handle)).to_have_count(1)
    with transaction(server.database.engine, write=False) as session:
        statuses = dict(
            session.execute(
                sa.select(AccountChannel.kind, AccountChannel.status).where(
                    AccountChannel.connected_account_id == account_id
                )
            ).all()
        )
    assert statuses == {"messaging": "active", "calendar": "active"}  # no SMTP given this time
