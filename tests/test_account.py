"""A user's own account against a running server on SQLite and PostgreSQL: the forgot-password
form (same answer for any address, one email a minute), reset links (single use, expiry,
replaced, mistyped), password and address changes on /settings/account, the emails each one
writes to the outbox, private emails hidden from /settings/emails, and the CLI's reset."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import requests
import sqlalchemy as sa

from browser.web import PASSWORD, Admin, Browser, new_admin
from conftest import Server, service_env
from hookwire.database import transaction
from hookwire.models import EmailOutbox, User, UserToken, utcnow

NEW_PASSWORD = "a brand new password, long enough"
SESSION_COOKIE = "hookwire_session"


def _address(prefix: str = "user") -> str:
    return f"{prefix}-{secrets.token_hex(4)}@example.com"


def _emails_to(server: Server, address: str, template: str | None = None) -> list[EmailOutbox]:
    with transaction(server.database.engine, write=False) as session:
        query = sa.select(EmailOutbox).where(EmailOutbox.to == address)
        if template is not None:
            query = query.where(EmailOutbox.template == template)
        return list(session.scalars(query.order_by(EmailOutbox.created_at)))


def _user(server: Server, user_id: str) -> User:
    with transaction(server.database.engine, write=False) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user


def _user_by_email(server: Server, address: str) -> User:
    with transaction(server.database.engine, write=False) as session:
        return session.scalars(sa.select(User).where(User.email == address)).one()


def _path(url: str) -> str:
    """The path and query of a link in an email (its host is the server's SERVER_URL)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _token(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def _forgot(server: Server, address: str) -> requests.Response:
    """Submit the forgot-password form from a fresh browser."""
    answer = Browser(server.base_url).form_post(
        "/forgot-password", "/forgot-password", {"email": address}
    )
    assert answer.status_code == 200, answer.text
    return answer


def _reset_link(server: Server, address: str) -> str:
    """Ask for a reset link for ``address``; the path of the newest one it was sent."""
    _forgot(server, address)
    return _path(_emails_to(server, address, "password_reset")[-1].values["reset_url"])


def _reset(browser: Browser, link: str, password: str, **kwargs) -> requests.Response:
    """Submit the reset form that ``link`` opens."""
    data = {"token": _token(link), "password": password}
    return browser.form_post(link, "/reset-password", data, **kwargs)


def _replay(server: Server, action: str, data: dict) -> requests.Response:
    """POST a link's form from a browser that never opened it (its own CSRF cookie pair)."""
    return requests.post(
        f"{server.base_url}{action}",
        data={**data, "csrf_token": "x"},
        cookies={"hookwire_sign_in_csrf": "x"},
        timeout=30,
    )


def _signed_in(server: Server, admin: Admin, password: str = PASSWORD) -> Browser:
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, password).status_code == 303
    assert browser.get("/settings/apis", allow_redirects=False).status_code == 200
    return browser


def _is_signed_out(browser: Browser) -> bool:
    answer = browser.get("/settings/apis", allow_redirects=False)
    return answer.status_code == 302 and "/sign-in" in answer.headers["Location"]


def _playground_key(browser: Browser) -> str:
    """An API key minted for ``browser``'s session by the playground."""
    page = browser.get("/settings/playground/graphql/metadata").text
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    answer = browser.post("/settings/playground/token", headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def _key_works(server: Server, token: str) -> bool:
    answer = requests.post(
        f"{server.base_url}/metadata",
        json={"query": "{ currentWorkspace { id } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return "errors" not in answer.json()


def _sign_in_status(server: Server, address: str, password: str) -> int:
    return Browser(server.base_url).sign_in(address, password).status_code


def test_forgot_password_answers_alike_for_any_address_and_mails_known_ones_once_a_minute(
    server: Server,
) -> None:
    admin = new_admin(server.database)
    unknown = _address("nobody")
    for_unknown = _forgot(server, unknown)
    for_known = _forgot(server, admin.email)
    assert for_unknown.text.replace(unknown, "ADDRESS") == for_known.text.replace(
        admin.email, "ADDRESS"
    )
    assert 'id="reset-sent"' in for_known.text
    assert _emails_to(server, unknown) == []

    [email] = _emails_to(server, admin.email)  # written in the same transaction
    assert email.template == "password_reset" and email.workspace_id == admin.workspace_id
    assert email.values["expires_in_minutes"] == 30
    link = _path(email.values["reset_url"])
    assert link.startswith("/reset-password?token=")
    form = Browser(server.base_url).get(link)
    assert form.status_code == 200 and _token(link) in form.text

    again = _forgot(server, admin.email)  # within a minute: the same answer, no email
    assert again.text == for_known.text
    assert len(_emails_to(server, admin.email)) == 1
    assert Browser(server.base_url).get(link).status_code == 200  # the first link still works


def test_a_reset_link_sets_a_new_password_once_and_ends_every_session(server: Server) -> None:
    admin = new_admin(server.database)
    old_session = _signed_in(server, admin)
    user_id = _user_by_email(server, admin.email).id
    assert _user(server, user_id).email_verified_at is None
    link = _reset_link(server, admin.email)
    browser = Browser(server.base_url)
    assert browser.get(link).status_code == 200

    short = _reset(browser, link, "short")
    assert short.status_code == 400 and "password: must be at least 12" in short.text
    assert browser.get(link).status_code == 200  # the link is still usable
    assert _emails_to(server, admin.email, "password_changed") == []

    reset = _reset(browser, link, NEW_PASSWORD, allow_redirects=False)
    assert reset.status_code == 303, reset.text
    assert reset.headers["Location"].endswith("/sign-in?notice=password-reset")
    notice = browser.get(reset.headers["Location"])
    assert "Your password was changed. Sign in with the new one." in notice.text

    assert _is_signed_out(old_session)
    assert _sign_in_status(server, admin.email, PASSWORD) == 401
    assert _sign_in_status(server, admin.email, NEW_PASSWORD) == 303
    [changed] = _emails_to(server, admin.email, "password_changed")
    assert changed.workspace_id == admin.workspace_id
    assert _path(changed.values["reset_url"]) == "/forgot-password"
    assert _user(server, user_id).email_verified_at is not None  # they read its mail

    reused = browser.get(link)
    assert reused.status_code == 410 and "already been used" in reused.text
    replayed = _replay(
        server, "/reset-password", {"token": _token(link), "password": "yet another password"}
    )
    assert replayed.status_code == 410 and "already been used" in replayed.text
    assert _sign_in_status(server, admin.email, NEW_PASSWORD) == 303
    assert len(_emails_to(server, admin.email, "password_changed")) == 1


def test_an_expired_reset_link_is_refused_and_changes_nothing(server: Server) -> None:
    admin = new_admin(server.database)
    link = _reset_link(server, admin.email)
    browser = Browser(server.base_url)
    form_page = browser.get(link)  # opened in time, submitted too late
    assert form_page.status_code == 200
    with transaction(server.database.engine) as session:
        user = session.scalars(sa.select(User).where(User.email == admin.email)).one()
        row = session.scalars(sa.select(UserToken).where(UserToken.user_id == user.id)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)

    expired = browser.get(link)
    assert expired.status_code == 410 and "has expired" in expired.text
    posted = _replay(server, "/reset-password", {"token": _token(link), "password": NEW_PASSWORD})
    assert posted.status_code == 410 and "has expired" in posted.text
    assert _sign_in_status(server, admin.email, PASSWORD) == 303
    assert _emails_to(server, admin.email, "password_changed") == []


def test_a_newer_reset_link_replaces_the_older_and_a_mistyped_one_is_refused(
    server: Server,
) -> None:
    admin = new_admin(server.database)
    first = _reset_link(server, admin.email)
    with transaction(server.database.engine) as session:  # a minute on: another email is due
        user = session.scalars(sa.select(User).where(User.email == admin.email)).one()
        row = session.scalars(sa.select(UserToken).where(UserToken.user_id == user.id)).one()
        row.created_at = utcnow() - timedelta(minutes=2)
        session.add(row)
    second = _reset_link(server, admin.email)
    assert second != first and len(_emails_to(server, admin.email, "password_reset")) == 2

    browser = Browser(server.base_url)
    replaced = browser.get(first)
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.text
    posted = _replay(server, "/reset-password", {"token": _token(first), "password": NEW_PASSWORD})
    assert posted.status_code == 410 and "replaced by a newer one" in posted.text
    mistyped = f"/reset-password?token={_token(second)[:-2]}xx"
    refused = browser.get(mistyped)
    assert refused.status_code == 410 and "not valid" in refused.text
    assert browser.get("/reset-password").status_code == 410  # no token at all
    assert _sign_in_status(server, admin.email, PASSWORD) == 303

    assert _reset(browser, second, NEW_PASSWORD, allow_redirects=False).status_code == 303
    assert _sign_in_status(server, admin.email, NEW_PASSWORD) == 303


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    server: Server,
) -> None:
    admin = new_admin(server.database)
    browser = _signed_in(server, admin)
    other = _signed_in(server, admin)
    playground_key = _playground_key(other)
    assert _key_works(server, playground_key)
    page = browser.get("/settings/account")
    assert page.status_code == 200 and admin.email in page.text

    wrong = browser.form_post(
        "/settings/account",
        "/settings/account/password",
        {"current_password": "not my password at all", "password": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "current_password:" in wrong.text
    short = browser.form_post(
        "/settings/account",
        "/settings/account/password",
        {"current_password": PASSWORD, "password": "short"},
    )
    assert short.status_code == 400 and "password: must be at least 12" in short.text
    assert not _is_signed_out(other)
    assert _emails_to(server, admin.email, "password_changed") == []
    assert _sign_in_status(server, admin.email, PASSWORD) == 303

    old_cookie = browser.http.cookies[SESSION_COOKIE]
    changed = browser.form_post(
        "/settings/account",
        "/settings/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD},
        allow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    assert changed.headers["Location"].endswith("/settings/account?notice=password")
    assert browser.http.cookies[SESSION_COOKIE] != old_cookie  # a new session for this one
    assert "Password changed." in browser.get(changed.headers["Location"]).text
    assert _is_signed_out(other)
    assert not _key_works(server, playground_key)  # minted in the ended session: revoked
    [email] = _emails_to(server, admin.email, "password_changed")
    assert email.workspace_id == admin.workspace_id
    assert _sign_in_status(server, admin.email, PASSWORD) == 401
    assert _sign_in_status(server, admin.email, NEW_PASSWORD) == 303


def test_a_new_address_counts_once_its_link_is_followed(server: Server) -> None:
    admin = new_admin(server.database)
    browser = _signed_in(server, admin)
    user_id = _user_by_email(server, admin.email).id
    new_address = _address("moved")
    asked = browser.form_post(
        "/settings/account",
        "/settings/account/email",
        {"email": new_address.upper()},
        allow_redirects=False,
    )
    assert asked.status_code == 303, asked.text
    assert asked.headers["Location"].endswith("/settings/account?notice=email")
    [email] = _emails_to(server, new_address)
    assert email.template == "email_verification"
    assert _emails_to(server, admin.email) == []
    page = browser.get("/settings/account").text
    pending = re.search(r'id="pending-email">(.*?)</p>', page, re.S)
    assert pending and new_address in pending.group(1)
    assert _user(server, user_id).email == admin.email
    assert _sign_in_status(server, admin.email, PASSWORD) == 303
    assert _sign_in_status(server, new_address, PASSWORD) == 401

    link = _path(email.values["verify_url"])
    assert link.startswith("/verify-email?token=")
    visitor = Browser(server.base_url)
    button = visitor.get(link)  # a GET only shows the button: mail scanners follow links
    assert button.status_code == 200 and "Confirm address" in button.text
    assert _user(server, user_id).email == admin.email
    confirmed = visitor.form_post(link, "/verify-email", {"token": _token(link)})
    assert confirmed.status_code == 200 and new_address in confirmed.text
    user = _user(server, user_id)
    assert user.email == new_address and user.email_verified_at is not None
    assert 'id="pending-email"' not in browser.get("/settings/account").text
    assert _sign_in_status(server, new_address, PASSWORD) == 303
    assert _sign_in_status(server, admin.email, PASSWORD) == 401

    reused = visitor.get(link)
    assert reused.status_code == 410 and "already been used" in reused.text
    replayed = _replay(server, "/verify-email", {"token": _token(link)})
    assert replayed.status_code == 410 and "already been used" in replayed.text


def test_an_address_another_user_has_is_refused(server: Server) -> None:
    admin = new_admin(server.database)
    taken = new_admin(server.database).email
    browser = _signed_in(server, admin)
    refused = browser.form_post("/settings/account", "/settings/account/email", {"email": taken})
    assert refused.status_code == 400
    assert f"email: a user with the e-mail address &#39;{taken}&#39; already exists" in refused.text
    bad = browser.form_post("/settings/account", "/settings/account/email", {"email": "nope"})
    assert bad.status_code == 400 and "email: expected an e-mail address" in bad.text
    assert _emails_to(server, taken) == []
    assert 'id="pending-email"' not in browser.get("/settings/account").text


def _sent(server: Server, email_id: str) -> EmailOutbox:
    """The email once the server's runner has sent it (it polls about every second)."""
    deadline = time.monotonic() + 30
    while True:
        with transaction(server.database.engine, write=False) as session:
            row = session.get(EmailOutbox, email_id)
        assert row is not None
        if row.status == "sent" or time.monotonic() > deadline:
            return row
        time.sleep(0.1)


def test_the_emails_page_never_shows_a_password_reset(server: Server) -> None:
    admin = new_admin(server.database)
    browser = _signed_in(server, admin)
    _forgot(server, admin.email)
    [reset] = _emails_to(server, admin.email, "password_reset")
    invitee = _address("invitee")
    invited = browser.form_post(
        "/settings/members",
        "/settings/members/invitations",
        {"email": invitee, "role": "member"},
        allow_redirects=False,
    )
    assert invited.status_code == 303, invited.text
    [invitation] = _emails_to(server, invitee, "invitation")
    for row in (reset, invitation):
        sent = _sent(server, row.id)
        assert (sent.status, sent.driver, sent.workspace_id) == ("sent", "log", admin.workspace_id)

    shown = browser.get(f"/settings/emails/{invitation.id}")
    assert shown.status_code == 200 and invitation.values["accept_url"] in shown.text
    assert browser.get(f"/settings/emails/{invitation.id}/html").status_code == 200
    assert browser.get(f"/settings/emails/{reset.id}").status_code == 404
    hidden = browser.get(f"/settings/emails/{reset.id}/html")
    assert hidden.status_code == 404 and reset.values["reset_url"] not in hidden.text


def test_the_cli_reset_tells_the_user_by_email(server: Server) -> None:
    admin = new_admin(server.database)
    browser = _signed_in(server, admin)
    result = subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "user", "reset-password", admin.email.upper()],
        env=service_env(server.database),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    password = result.stdout.strip()
    [email] = _emails_to(server, admin.email)
    assert email.template == "password_changed" and email.workspace_id == admin.workspace_id
    assert _path(email.values["reset_url"]) == "/forgot-password"
    assert _is_signed_out(browser)
    assert _sign_in_status(server, admin.email, password) == 303
