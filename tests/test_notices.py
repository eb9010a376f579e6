"""Operational notices to a workspace's admins, end to end against a server of their own on
SQLite and PostgreSQL that sends through a real SMTP server (aiosmtpd on loopback): failing
and disabled webhooks, API keys about to expire or expired, the daily digest, rotated OAuth
secrets, email preferences and one-click unsubscribe (RFC 8058), an SMTP outage, and the
scheduled jobs run by ``hookwire worker`` through Redis."""

from __future__ import annotations

import base64
import json
import re
import secrets
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

import pytest
import requests
import sqlalchemy as sa
from rq import Queue

from browser.web import PASSWORD, Browser
from conftest import (
    APP_SECRET,
    Client,
    Database,
    Server,
    free_port,
    new_workspace,
    open_database,
    service_env,
    service_unavailable,
)
from hooks_support import create_person, subscribe, wait_until
from hookwire.config import Config, load_config
from hookwire.database import transaction
from hookwire.emails import EMAIL_PREFERENCES_PATH, EMAIL_QUEUE, TOPICS
from hookwire.identity import create_user, issue_api_key
from hookwire.jobs.scheduled import run_job
from hookwire.members import change_role
from hookwire.models import ApiKey, EmailOutbox, User, Webhook
from hookwire.notices import opt_out, opted_out_topics, send_failing_digests
from receiver import Receiver, Reply
from smtp_server import SmtpServer

CHECKBOX = re.compile(r'name="topic" value="(\w+)"\s*(checked)?\s*>')

# Retries every 0.2 s for about 8 s, a webhook disabled after 3 s of failures and admins
# warned after 3 failed attempts in a row; emails retried every 0.5 s for 30 s.
NOTICE_ENV = {
    "HOOKWIRE_WEBHOOK_RETRY_SCHEDULE": "0" + ",0.2" * 40,
    "HOOKWIRE_WEBHOOK_DISABLE_AFTER": "3",
    "HOOKWIRE_WEBHOOK_FAILING_NOTICE_AFTER": "3",
    "HOOKWIRE_EMAIL_RETRY_SCHEDULE": ",".join(["0.5"] * 60),
}


@dataclass
class Stack:
    """A server, its own database and the SMTP server it sends through."""

    database: Database
    server: Server
    smtp: SmtpServer
    env: dict[str, str]

    @property
    def config(self) -> Config:
        return load_config(service_env(self.database, self.env))


def _stack_env(smtp: SmtpServer, port: int, **extra: str) -> dict[str, str]:
    return {**smtp.env(), **NOTICE_ENV, "SERVER_URL": f"http://127.0.0.1:{port}", **extra}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """A database of its own: the notice settings are the server's, and no other server's
    email runner may send (or miss) these emails."""
    smtp = SmtpServer()
    try:
        with open_database(request.param, tmp_path_factory) as database:
            port = free_port()
            env = _stack_env(smtp, port)
            log = tmp_path_factory.mktemp("notices") / f"{request.param}.log"
            server = Server(database, log, env, port=port)
            try:
                yield Stack(database, server, smtp, env)
            finally:
                server.stop()
    finally:
        smtp.stop()


@dataclass
class Team:
    """A workspace seen from outside: its API client, its admins and one member."""

    api: Client
    admins: list[str]
    member: str
    key_name: str

    @property
    def workspace_id(self) -> str:
        return self.api.workspace_id


def _address(role: str) -> str:
    return f"{role}-{secrets.token_hex(4)}@example.com"


def new_team(stack: Stack, admins: int = 3, base_url: str | None = None) -> Team:
    """A workspace with ``admins`` admins and one member, and an API key of its own name."""
    workspace_id, _ = new_workspace(stack.database)
    key_name = f"Key {secrets.token_hex(3)}"
    addresses = [_address("admin") for _ in range(admins)]
    member = _address("member")
    with transaction(stack.database.engine) as session:
        token = issue_api_key(session, APP_SECRET, workspace_id, key_name).token
        for address in addresses:
            create_user(session, workspace_id, address, PASSWORD)
        user = create_user(session, workspace_id, member, PASSWORD)
        change_role(session, workspace_id, user.id, "member")
    api = Client(base_url or stack.server.base_url, token, workspace_id)
    return Team(api, addresses, member, key_name)


def _user_id(stack: Stack, address: str) -> str:
    with transaction(stack.database.engine, write=False) as session:
        return session.scalars(sa.select(User.id).where(User.email == address)).one()


def _opted_out(stack: Stack, address: str) -> set[str]:
    with transaction(stack.database.engine, write=False) as session:
        return opted_out_topics(session, _user_id(stack, address))


def _outbox(stack: Stack, workspace_id: str) -> list[EmailOutbox]:
    with transaction(stack.database.engine, write=False) as session:
        query = sa.select(EmailOutbox).where(EmailOutbox.workspace_id == workspace_id)
        return list(session.scalars(query.order_by(EmailOutbox.created_at)))


def settle(stack: Stack, workspace_id: str, timeout: float = 30) -> list[EmailOutbox]:
    """The workspace's outbox once nothing in it is pending and every email sent has
    reached the mailbox."""

    def settled() -> tuple[list[EmailOutbox]] | None:  # a tuple: truthy when rows is empty
        rows = _outbox(stack, workspace_id)
        if any(row.status == "pending" for row in rows):
            return None
        sent = {row.message_id for row in rows if row.status == "sent"}
        with stack.smtp.mailbox.lock:
            arrived = {m["Message-ID"] for m in stack.smtp.mailbox.messages}
        return (rows,) if sent <= arrived else None

    return wait_until(settled, timeout=timeout)[0]


def received(stack: Stack, workspace_id: str, address: str) -> dict[str, list[EmailMessage]]:
    """What reached ``address`` from this workspace, by template."""
    templates = {row.message_id: row.template for row in _outbox(stack, workspace_id)}
    by_template: dict[str, list[EmailMessage]] = {}
    for message in stack.smtp.mailbox.to(address):
        template = templates.get(message["Message-ID"])
        if template is not None:
            by_template.setdefault(template, []).append(message)
    return by_template


def counts(stack: Stack, workspace_id: str, address: str) -> Counter[str]:
    return Counter({t: len(m) for t, m in received(stack, workspace_id, address).items()})


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def wait_disabled(api: Client, webhook_id: str, timeout: float = 60) -> dict:
    def disabled() -> dict | None:
        webhook = api.get(f"/rest/webhooks/{webhook_id}").json()["data"]["webhook"]
        return None if webhook["isEnabled"] else webhook

    return wait_until(disabled, timeout=timeout)


def register_application(api: Client) -> str:
    body = {"name": f"Dashboard {secrets.token_hex(3)}", "redirectUris": ["https://a.example/cb"]}
    answer = api.post("/rest/metadata/applications", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["data"]["createApplication"]["id"]


def rotate(api: Client, application_id: str) -> None:
    answer = api.post(f"/rest/metadata/applications/{application_id}/rotate-secret")
    assert answer.status_code == 200, answer.text


def signed_in(stack: Stack, address: str) -> Browser:
    browser = Browser(stack.server.base_url)
    assert browser.sign_in(address, PASSWORD).status_code in (302, 303)
    return browser


def checked_topics(browser: Browser) -> set[str]:
    """The topics ticked on the signed-in admin's preferences page."""
    page = browser.get(EMAIL_PREFERENCES_PATH)
    assert page.status_code == 200, page.text
    boxes = CHECKBOX.findall(page.text)
    assert {topic for topic, _ in boxes} == set(TOPICS)
    return {topic for topic, checked in boxes if checked}


# --- webhooks ---------------------------------------------------------------------------------


def test_a_webhook_failing_until_disabled_sends_one_warning_and_one_disabled_notice(
    stack: Stack, receiver: Receiver
) -> None:
    team = new_team(stack)
    quiet = team.admins[2]  # switches the failing warnings off on the preferences page
    browser = signed_in(stack, quiet)
    wanted = [topic for topic in TOPICS if topic != "webhook_failing"]
    saved = browser.form_post(
        EMAIL_PREFERENCES_PATH,
        EMAIL_PREFERENCES_PATH,
        {"topic": wanted},
        allow_redirects=False,
    )
    assert saved.status_code == 303
    assert checked_topics(browser) == set(wanted)
    assert _opted_out(stack, quiet) == {"webhook_failing"}

    receiver.default = Reply(500)
    hook = subscribe(team.api, receiver, "/failing")
    for i in range(3):
        create_person(team.api, f"Failing {i}")
    webhook = wait_disabled(team.api, hook["id"])
    assert webhook["disabledReason"].startswith("Every attempt failed since")
    attempts = len(receiver.received("/failing"))
    assert attempts >= 3
    settle(stack, team.workspace_id)

    for admin in team.admins:
        expected = {"webhook_disabled": 1} | ({} if admin == quiet else {"webhook_failing": 1})
        assert counts(stack, team.workspace_id, admin) == expected, admin
    assert counts(stack, team.workspace_id, team.member) == {}

    server_url = stack.config.emails.server_url
    webhook_link = f"{server_url}/settings/webhooks/{hook['id']}"
    [warning] = received(stack, team.workspace_id, team.admins[0])["webhook_failing"]
    assert receiver.url + "/failing" in text(warning) and "HTTP 500" in text(warning)
    assert webhook_link in text(warning)
    for admin in team.admins:
        [disabled] = received(stack, team.workspace_id, admin)["webhook_disabled"]
        body = text(disabled)
        assert disabled["Subject"] == f"Webhook disabled: {receiver.url}/failing"
        assert "every delivery has failed since" in body and "HTTP 410" not in body
        assert webhook_link in body
        assert webhook_link in disabled.get_body(("html",)).get_content()  # type: ignore[union-attr]
        assert disabled["List-Unsubscribe"].startswith(f"<{server_url}/email-preferences/")
        assert disabled["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Disabled is final: nothing more was sent to the receiver, nothing more was written.
    assert len(receiver.received("/failing")) == attempts
    assert len(settle(stack, team.workspace_id)) == 2 * len(team.admins) - 1


def test_a_410_answer_disables_at_once_with_the_gone_notice(
    stack: Stack, receiver: Receiver
) -> None:
    team = new_team(stack, admins=2)
    receiver.script("/gone", Reply(410))
    hook = subscribe(team.api, receiver, "/gone")
    create_person(team.api, "Gone")
    webhook = wait_disabled(team.api, hook["id"])
    assert webhook["disabledReason"] == "The target answered 410 Gone."
    assert len(receiver.received("/gone")) == 1
    settle(stack, team.workspace_id)

    for admin in team.admins:
        assert counts(stack, team.workspace_id, admin) == {"webhook_disabled": 1}
        [disabled] = received(stack, team.workspace_id, admin)["webhook_disabled"]
        assert "410 Gone" in text(disabled)
    assert counts(stack, team.workspace_id, team.member) == {}


# --- the outbox under SMTP faults -------------------------------------------------------------


def test_emails_written_while_smtp_is_down_arrive_once_it_is_back(
    stack: Stack, receiver: Receiver
) -> None:
    team = new_team(stack, admins=3)
    refused, invitee = team.admins[0], _address("invitee")
    stack.smtp.stop()
    try:
        invited = team.api.post(
            "/rest/metadata/invitations", json={"email": invitee, "role": "member"}
        )
        assert invited.status_code == 201, invited.text
        receiver.script("/gone", Reply(410))
        hook = subscribe(team.api, receiver, "/gone")
        create_person(team.api, "While SMTP is down")
        wait_disabled(team.api, hook["id"])

        def all_tried() -> list[EmailOutbox] | None:
            rows = _outbox(stack, team.workspace_id)
            tried = [r for r in rows if r.attempts >= 1 and r.status == "pending"]
            return rows if len(rows) == 4 and len(tried) == 4 else None

        for row in wait_until(all_tried):
            assert "cannot send through 127.0.0.1" in row.last_error
        stack.smtp.mailbox.refuse[refused] = "550 5.1.1 no such mailbox here"
    finally:
        stack.smtp.start()

    rows = settle(stack, team.workspace_id)
    assert counts(stack, team.workspace_id, invitee) == {"invitation": 1}
    for admin in team.admins[1:]:
        assert counts(stack, team.workspace_id, admin) == {"webhook_disabled": 1}
    [failed] = [row for row in rows if row.to == refused]
    assert (failed.status, failed.template) == ("failed", "webhook_disabled")
    assert failed.last_error == "550 5.1.1 no such mailbox here"
    assert stack.smtp.mailbox.to(refused) == []
    assert sorted(row.status for row in rows) == ["failed", "sent", "sent", "sent"]


# --- preferences and one-click unsubscribe ----------------------------------------------------


def test_one_click_unsubscribe_opts_out_without_signing_in(stack: Stack) -> None:
    team = new_team(stack, admins=2)
    leaving, staying = team.admins
    application = register_application(team.api)
    rotate(team.api, application)
    settle(stack, team.workspace_id)
    [notice] = received(stack, team.workspace_id, leaving)["oauth_secret_rotated"]
    link = notice["List-Unsubscribe"].strip("<>")
    assert link.startswith(stack.server.base_url)
    assert stack.config.emails.server_url == stack.server.base_url

    # Opening the link (a mail scanner would) shows a button and changes nothing.
    page = requests.get(link, timeout=30)
    assert page.status_code == 200 and leaving in page.text
    assert _opted_out(stack, leaving) == set()

    # A link altered anywhere is refused and changes nothing either.
    base, token = link.split("?token=")
    payload, signature = unquote(token).rsplit(".", 1)
    middle = len(signature) // 2
    flipped = "A" if signature[middle] != "A" else "B"
    # Someone else's address under this signature, and this link with its signature altered.
    others = base64.urlsafe_b64encode(json.dumps([staying, "oauth_secret_rotated"]).encode())
    for forged in (
        f"{others.decode().rstrip('=')}.{signature}",
        f"{payload}.{signature[:middle]}{flipped}{signature[middle + 1 :]}",
    ):
        for method in ("GET", "POST"):
            answer = requests.request(
                method,
                base,
                params={"token": forged},
                data="List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                timeout=30,
            )
            assert answer.status_code == 400, (method, forged)
    assert _opted_out(stack, leaving) == set() and _opted_out(stack, staying) == set()

    # The one-click POST a mail client sends: no cookies, the token in the query string.
    clicked = requests.post(
        link,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=30,
    )
    assert clicked.status_code == 200
    assert 'id="unsubscribed"' in clicked.text
    assert _opted_out(stack, leaving) == {"oauth_secret_rotated"}
    assert _opted_out(stack, staying) == set()
    assert checked_topics(signed_in(stack, leaving)) == set(TOPICS) - {"oauth_secret_rotated"}
    assert checked_topics(signed_in(stack, staying)) == set(TOPICS)

    # The next notice of that topic goes to the admin who stayed only.
    rotate(team.api, application)
    settle(stack, team.workspace_id)
    assert counts(stack, team.workspace_id, leaving) == {"oauth_secret_rotated": 1}
    assert counts(stack, team.workspace_id, staying) == {"oauth_secret_rotated": 2}


# --- scheduled notices ------------------------------------------------------------------------


def _set_key_times(stack: Stack, key_id: str, created_at: datetime, expires_at: datetime) -> None:
    with transaction(stack.database.engine) as session:
        session.execute(
            sa.update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(created_at=created_at, expires_at=expires_at)
        )


def _key(stack: Stack, workspace_id: str, name: str, created: timedelta, life: timedelta) -> str:
    """A key of ``workspace_id`` created ``created`` ago, lasting ``life``."""
    with transaction(stack.database.engine) as session:
        key_id = issue_api_key(session, APP_SECRET, workspace_id, name).row.id
    now = datetime.now(UTC)
    _set_key_times(stack, key_id, now - created, now - created + life)
    return key_id


def test_api_key_notices_are_sent_once_each_and_never_for_short_lived_keys(
    stack: Stack,
) -> None:
    team = new_team(stack, admins=2)
    days = timedelta(days=1)
    _key(stack, team.workspace_id, "Expiring", created=87 * days, life=90 * days)
    _key(stack, team.workspace_id, "Expired", created=91 * days, life=90 * days)
    # Playground keys live as long as a sign-in: neither the one about to expire nor the one
    # that just did is news.
    _key(stack, team.workspace_id, "Playground soon", created=days / 2, life=days)
    _key(stack, team.workspace_id, "Playground gone", created=days * 1.5, life=days)

    assert run_job(stack.database.engine, stack.config, "api_key_notices") == 2
    assert run_job(stack.database.engine, stack.config, "api_key_notices") == 0
    rows = settle(stack, team.workspace_id)

    for admin in team.admins:
        got = received(stack, team.workspace_id, admin)
        assert counts(stack, team.workspace_id, admin) == {
            "api_key_expiring": 1,
            "api_key_expired": 1,
        }
        [expiring], [expired] = got["api_key_expiring"], got["api_key_expired"]
        assert expiring["Subject"] == "The API key Expiring expires in 7 days"
        assert expired["Subject"] == "The API key Expired has expired"
        assert f"{stack.config.emails.server_url}/settings/apis" in text(expired)
    assert counts(stack, team.workspace_id, team.member) == {}
    assert {row.values["key_name"] for row in rows} == {"Expiring", "Expired"}


def test_the_failing_digest_is_written_once_a_day_per_workspace(
    stack: Stack, receiver: Receiver
) -> None:
    team = new_team(stack, admins=2)
    hook = subscribe(team.api, receiver, "/still-failing")
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with transaction(stack.database.engine) as session:
        session.execute(
            sa.update(Webhook)
            .where(Webhook.id == hook["id"])
            .values(
                failing_since=now - timedelta(days=2, hours=1),
                failing_notice_at=now - timedelta(days=2),
                consecutive_failures=42,
            )
        )

    def digest(at: datetime) -> list[EmailOutbox]:
        with transaction(stack.database.engine) as session:
            send_failing_digests(session, at, stack.config.webhooks.disable_after)
        rows = settle(stack, team.workspace_id)
        return [row for row in rows if row.template == "webhook_failing_digest"]

    assert len(digest(now)) == 2
    assert len(digest(now + timedelta(hours=1))) == 2  # the same day: nothing new
    assert len(digest(now + timedelta(days=1))) == 4

    for admin in team.admins:
        messages = received(stack, team.workspace_id, admin)["webhook_failing_digest"]
        assert len(messages) == 2
        assert messages[0]["Subject"].startswith("1 webhook still failing in")
        assert f"{receiver.url}/still-failing" in text(messages[0])
        assert f"/settings/webhooks/{hook['id']}" in text(messages[0])
    assert counts(stack, team.workspace_id, team.member) == {}


# --- OAuth applications -----------------------------------------------------------------------


def test_a_rotated_secret_is_told_to_every_opted_in_admin(stack: Stack) -> None:
    team = new_team(stack, admins=3)
    opted_out = team.admins[2]
    with transaction(stack.database.engine) as session:
        opt_out(session, _user_id(stack, opted_out), "oauth_secret_rotated")
    application = register_application(team.api)
    rotate(team.api, application)
    settle(stack, team.workspace_id)

    for admin in team.admins[:2]:
        assert counts(stack, team.workspace_id, admin) == {"oauth_secret_rotated": 1}
        [notice] = received(stack, team.workspace_id, admin)["oauth_secret_rotated"]
        assert f"the API key {team.key_name} rotated the client secret" in text(notice)
    assert counts(stack, team.workspace_id, opted_out) == {}
    assert counts(stack, team.workspace_id, team.member) == {}


# --- the scheduler with Redis -----------------------------------------------------------------


def _burst(database: Database, env: dict[str, str]) -> str:
    """Run ``hookwire worker --burst`` until the queues are empty; what it logged."""
    done = subprocess.run(
        [sys.executable, "-m", "hookwire.cli", "worker", "--burst"],
        env=service_env(database, env),
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_with_redis_the_scheduler_enqueues_and_a_worker_writes_and_sends(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if shutil.which("redis-server") is None:
        service_unavailable("redis-server is not on PATH; the scheduler test needs it")
    import redis

    from processes import RedisServer

    redis_server = RedisServer(tmp_path / "redis.log")
    smtp = SmtpServer()
    connection = redis.Redis.from_url(redis_server.url)
    try:
        with open_database("postgres", tmp_path_factory) as database:
            port = free_port()
            env = _stack_env(smtp, port, REDIS_URL=redis_server.url)
            stack = Stack(database, None, smtp, env)  # type: ignore[arg-type]
            team = new_team(stack, admins=1, base_url=f"http://127.0.0.1:{port}")
            [admin] = team.admins
            days = timedelta(days=1)
            _key(stack, team.workspace_id, "Expired", created=91 * days, life=90 * days)
            server = Server(database, tmp_path / "server.log", env, port=port)
            try:
                queue = Queue(EMAIL_QUEUE, connection=connection)
                # At start the scheduler enqueues each scheduled job; nothing is written yet.
                wait_until(lambda: queue.count >= 2)
                assert _outbox(stack, team.workspace_id) == []
                logged = _burst(database, env)  # runs them: the notice is written
                written = _outbox(stack, team.workspace_id)
                assert len(written) == 1, f"{written}; the worker logged: {logged}"
                assert (written[0].to, written[0].template) == (admin, "api_key_expired")

                def sent() -> EmailOutbox | None:
                    # The server's email runner queues the sending; a worker sends.
                    if queue.count:
                        _burst(database, env)
                    [row] = _outbox(stack, team.workspace_id)
                    return row if row.status == "sent" else None

                row = wait_until(sent)
                assert [m["Message-ID"] for m in smtp.mailbox.to(admin)] == [row.message_id]
            finally:
                server.stop()
    finally:
        connection.close()
        smtp.stop()
        redis_server.stop()
