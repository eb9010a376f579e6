"""Transactional emails: templates, the outbox in the caller's transaction, and sending
through a real SMTP server (aiosmtpd on loopback) on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from conftest import (
    APP_SECRET,
    Database,
    new_workspace,
    open_database,
    service_env,
    service_unavailable,
)
from hookwire.config import ConfigError, load_config
from hookwire.database import after_commit, transaction
from hookwire.emails import (
    EMAIL_PREFERENCES_PATH,
    TEMPLATES,
    UNSUBSCRIBE_PATH,
    EmailRunner,
    EmailTemplateError,
    Unsubscribe,
    create_driver,
    enqueue_email,
    read_unsubscribe_token,
    render_email,
    send_pending,
)
from hookwire.models import EmailOutbox
from smtp_server import SmtpServer

UNFILLED = ("{{", "}}", "{%", "%}", "None", "Undefined")
URL = re.compile(r"https?://[^\s\"'<>]+")


# --- templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_its_sample_with_html_and_text(name: str) -> None:
    template = TEMPLATES[name]
    preferences = "https://crm.example.com" + EMAIL_PREFERENCES_PATH
    rendered = render_email(
        name, template.sample, preferences_url=preferences if template.operational else None
    )
    assert rendered.html.lstrip().lower().startswith("<!doctype html>")
    assert "<mj-" not in rendered.html, "MJML left unrendered"
    assert rendered.text.strip() and rendered.subject.strip()
    assert "\n" not in rendered.subject
    for part in (rendered.subject, rendered.html, rendered.text):
        for marker in UNFILLED:
            assert marker not in part, f"{name}: {marker!r} left in {part[:200]!r}"
    # Every link the sample gives reaches both parts.
    for url in URL.findall(repr(dict(template.sample))):
        url = url.rstrip(",)")
        assert url in rendered.text, f"{name}: {url} missing from the text part"
        assert url in rendered.html, f"{name}: {url} missing from the HTML part"
    assert (preferences in rendered.text) == template.operational
    assert (preferences in rendered.html) == template.operational


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_a_missing_value_raises(name: str) -> None:
    template = TEMPLATES[name]
    for key in template.required:
        values = {k: v for k, v in template.sample.items() if k != key}
        with pytest.raises(EmailTemplateError, match=key):
            render_email(name, values)


def test_a_value_missing_inside_a_list_raises_through_strict_undefined() -> None:
    sample = TEMPLATES["webhook_failing_digest"].sample
    webhooks = [dict(w) for w in sample["webhooks"]]
    del webhooks[1]["last_error"]
    with pytest.raises(EmailTemplateError, match="last_error"):
        render_email("webhook_failing_digest", {**sample, "webhooks": webhooks})


def test_unknown_templates_values_and_choices_are_refused() -> None:
    sample = TEMPLATES["webhook_disabled"].sample
    with pytest.raises(EmailTemplateError, match="unknown email 'nope'"):
        render_email("nope", {})
    with pytest.raises(EmailTemplateError, match="takes no colour"):
        render_email("webhook_disabled", {**sample, "colour": "blue"})
    with pytest.raises(EmailTemplateError, match=r"reason.*gone, failing"):
        render_email("webhook_disabled", {**sample, "reason": "bored"})
    gone = render_email("webhook_disabled", {**sample, "reason": "gone"})
    assert "410" in gone.text and "410" in gone.html


def test_values_are_escaped_in_html_but_not_in_text() -> None:
    sample = {**TEMPLATES["api_key_expired"].sample, "key_name": "<b>Zap & co</b>"}
    rendered = render_email("api_key_expired", sample)
    assert "&lt;b&gt;Zap &amp; co&lt;/b&gt;" in rendered.html
    assert "<b>Zap & co</b>" in rendered.text


def test_email_settings_follow_twenty_names() -> None:
    base = {"DATABASE_URL": "sqlite:///x.db", "APP_SECRET": APP_SECRET}
    assert load_config(base).emails.driver == "log"
    assert load_config({**base, "EMAIL_DRIVER": "LOGGER"}).emails.driver == "log"  # Twenty's
    emails = load_config(
        {
            **base,
            "EMAIL_DRIVER": "smtp",
            "EMAIL_SMTP_HOST": "mail.example.com",
            "EMAIL_SMTP_PORT": "465",
            "EMAIL_SMTP_USER": "u",
            "EMAIL_SMTP_PASSWORD": "p4ss",
            "EMAIL_FROM_ADDRESS": "crm@example.com",
            "EMAIL_FROM_NAME": "CRM",
        }
    ).emails
    assert (emails.smtp_host, emails.smtp_port, emails.smtp_no_tls) == (
        "mail.example.com",
        465,
        False,
    )
    assert "p4ss" not in repr(emails)
    for bad, name in (
        ({"EMAIL_DRIVER": "pigeon"}, "EMAIL_DRIVER"),
        ({"EMAIL_DRIVER": "smtp"}, "EMAIL_SMTP_HOST"),
        ({"EMAIL_SMTP_PORT": "0"}, "EMAIL_SMTP_PORT"),
        ({"EMAIL_SMTP_NO_TLS": "maybe"}, "EMAIL_SMTP_NO_TLS"),
        ({"EMAIL_FROM_ADDRESS": "nobody"}, "EMAIL_FROM_ADDRESS"),
        ({"HOOKWIRE_EMAIL_RETRY_SCHEDULE": "soon"}, "HOOKWIRE_EMAIL_RETRY_SCHEDULE"),
    ):
        with pytest.raises(ConfigError, match=name):
            load_config({**base, **bad})


# --- the outbox and sending ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def outbox_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A database of its own: no test server's email runner may send these emails."""
    with open_database(request.param, tmp_path_factory) as opened:
        yield opened


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _config(database: Database, smtp: SmtpServer, **extra: str):
    env = {"DATABASE_URL": database.url, "APP_SECRET": APP_SECRET, **smtp.env(), **extra}
    # Retries fall due at once: each call of the sender is the next attempt.
    env.setdefault("HOOKWIRE_EMAIL_RETRY_SCHEDULE", "0,0,0,0,0")
    return load_config(env)


def _send(database: Database, config) -> int:
    return send_pending(database.engine, config.emails, create_driver(config.emails))


def _sample(name: str) -> dict:
    return dict(TEMPLATES[name].sample)


def _address() -> str:
    return f"to-{secrets.token_hex(4)}@example.com"


def _rows(database: Database, **where) -> list[EmailOutbox]:
    with transaction(database.engine, write=False) as session:
        query = sa.select(EmailOutbox)
        for key, value in where.items():
            query = query.where(getattr(EmailOutbox, key) == value)
        return list(session.scalars(query))


def _parts(message: EmailMessage) -> dict[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return {part.get_content_type(): part.get_content() for part in message.iter_parts()}


def test_a_rolled_back_email_is_never_sent(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp)
    to = _address()
    woken = []
    with pytest.raises(RuntimeError), transaction(outbox_db.engine) as session:
        enqueue_email(session, "password_reset", to, _sample("password_reset"))
        after_commit(session, lambda: woken.append(True))
        raise RuntimeError("the change that caused the email failed")
    assert _send(outbox_db, config) == 0
    assert smtp.mailbox.to(to) == [] and _rows(outbox_db, to=to) == []
    assert woken == []

    with transaction(outbox_db.engine) as session:
        enqueue_email(session, "password_reset", to, _sample("password_reset"))
        after_commit(session, lambda: woken.append(True))
    assert woken == [True]


def test_bad_input_is_refused_at_enqueue_and_leaves_nothing(outbox_db: Database) -> None:
    for template, to, values, field in (
        ("nope", "a@example.com", {}, "template"),
        ("password_reset", "a@example.com", {"email": "a@example.com"}, "values"),
        ("password_reset", "not an address", _sample("password_reset"), "to"),
        ("password_reset", "a@example.com\r\nBcc: b@example.com", _sample("password_reset"), "to"),
    ):
        with (
            pytest.raises(EmailTemplateError, match=f"^{field}:"),
            transaction(outbox_db.engine) as s,
        ):
            enqueue_email(s, template, to, values)
    assert _rows(outbox_db) == []


def test_emails_arrive_once_each_with_both_parts(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp)
    workspace_id, _ = new_workspace(outbox_db)
    sent = {}
    for name in TEMPLATES:
        with transaction(outbox_db.engine) as session:
            to = _address()
            enqueue_email(session, name, to, _sample(name), workspace_id=workspace_id)
            sent[to] = name
    # Two senders at once: claims keep them from sending any email twice.
    senders = [threading.Thread(target=_send, args=(outbox_db, config)) for _ in range(2)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    _send(outbox_db, config)

    rows = {row.to: row for row in _rows(outbox_db, workspace_id=workspace_id)}
    for to, name in sent.items():
        received = smtp.mailbox.to(to)
        assert len(received) == 1, f"{name}: {len(received)} copies"
        message, row = received[0], rows[to]
        assert (row.status, row.attempts, row.driver) == ("sent", 1, "smtp")
        assert row.sent_at is not None and row.last_error is None
        assert message["Message-ID"] == row.message_id
        assert message["Message-ID"].endswith("@example.test>")
        assert message["Subject"] == row.subject
        assert "hookwire@example.test" in message["From"]
        parts = _parts(message)
        assert set(parts) == {"text/plain", "text/html"}
        for marker in UNFILLED:
            assert marker not in parts["text/plain"] and marker not in parts["text/html"]
        operational = TEMPLATES[name].operational
        assert row.operational == operational
        if not operational:
            assert message["List-Unsubscribe"] is None
            continue
        # The header is the recipient's own signed one-click link; the footer links both.
        link = re.fullmatch(r"<(.+)\?token=(.+)>", message["List-Unsubscribe"])
        assert link is not None
        assert link[1] == config.emails.server_url + UNSUBSCRIBE_PATH
        assert read_unsubscribe_token(APP_SECRET, unquote(link[2])) == Unsubscribe(
            to, TEMPLATES[name].topic
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        preferences = config.emails.server_url + EMAIL_PREFERENCES_PATH
        assert preferences in parts["text/plain"] and preferences in parts["text/html"]


def test_emails_wait_while_the_server_is_down(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp)
    smtp.stop()
    addresses = [_address() for _ in range(3)]
    with transaction(outbox_db.engine) as session:
        for to in addresses:
            enqueue_email(session, "email_verification", to, _sample("email_verification"))
    _send(outbox_db, config)
    _send(outbox_db, config)
    for row in _rows(outbox_db):
        assert (row.status, row.attempts) == ("pending", 2)
        assert "cannot send through 127.0.0.1" in row.last_error

    smtp.start()
    _send(outbox_db, config)
    for to in addresses:
        assert len(smtp.mailbox.to(to)) == 1
    assert {row.status for row in _rows(outbox_db)} == {"sent"}


def test_a_4xx_answer_is_retried(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp)
    to = _address()
    smtp.mailbox.refuse[to] = "451 4.3.0 mailbox busy, try later"
    with transaction(outbox_db.engine) as session:
        enqueue_email(session, "password_changed", to, _sample("password_changed"))
    _send(outbox_db, config)
    [row] = _rows(outbox_db, to=to)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("451 ")
    del smtp.mailbox.refuse[to]
    _send(outbox_db, config)
    [row] = _rows(outbox_db, to=to)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(smtp.mailbox.to(to)) == 1


def test_a_550_answer_fails_that_email_with_the_reason(
    outbox_db: Database, smtp: SmtpServer
) -> None:
    config = _config(outbox_db, smtp)
    refused, accepted = _address(), _address()
    smtp.mailbox.refuse[refused] = "550 5.1.1 no such mailbox here"
    with transaction(outbox_db.engine) as session:
        for to in (refused, accepted):
            enqueue_email(session, "invitation", to, _sample("invitation"))
    _send(outbox_db, config)
    _send(outbox_db, config)
    [failed] = _rows(outbox_db, to=refused)
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert failed.last_error == "550 5.1.1 no such mailbox here"
    assert failed.sent_at is None
    [sent] = _rows(outbox_db, to=accepted)
    assert sent.status == "sent"
    assert smtp.mailbox.to(refused) == [] and len(smtp.mailbox.to(accepted)) == 1


def test_an_email_fails_once_its_retries_run_out(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp, HOOKWIRE_EMAIL_RETRY_SCHEDULE="0")
    smtp.stop()
    with transaction(outbox_db.engine) as session:
        enqueue_email(session, "password_reset", _address(), _sample("password_reset"))
    for _ in range(3):
        _send(outbox_db, config)
    [row] = _rows(outbox_db)
    assert (row.status, row.attempts) == ("failed", 2)
    assert row.last_error.startswith("gave up after 2 attempts: cannot send through")


def test_the_embedded_runner_sends_on_commit(outbox_db: Database, smtp: SmtpServer) -> None:
    config = _config(outbox_db, smtp)
    runner = EmailRunner(outbox_db.engine, config)
    runner.start()
    try:
        to = _address()
        with transaction(outbox_db.engine) as session:
            enqueue_email(session, "api_key_expiring", to, _sample("api_key_expiring"))
            after_commit(session, runner.notify)
        deadline = time.monotonic() + 20
        while not smtp.mailbox.to(to) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(smtp.mailbox.to(to)) == 1
    finally:
        runner.stop()


def test_hookwire_worker_sends_from_the_emails_queue(
    outbox_db: Database, smtp: SmtpServer, tmp_path
) -> None:
    if shutil.which("redis-server") is None:
        service_unavailable("redis-server is not on PATH; the worker test needs it")
    from processes import RedisServer

    redis_server = RedisServer(tmp_path / "redis.log")
    try:
        env = {**smtp.env(), "REDIS_URL": redis_server.url}
        config = _config(outbox_db, smtp, REDIS_URL=redis_server.url)
        addresses = [_address() for _ in range(3)]
        with transaction(outbox_db.engine) as session:
            for to in addresses:
                enqueue_email(session, "oauth_secret_rotated", to, _sample("oauth_secret_rotated"))
        runner = EmailRunner(outbox_db.engine, config)
        runner.run_once()  # queues one job on `emails`
        runner.run_once()  # one is queued already: no second
        assert runner.queue is not None and runner.queue.count == 1
        subprocess.run(
            [sys.executable, "-m", "hookwire.cli", "worker", "--burst"],
            env=service_env(outbox_db, env),
            check=True,
            timeout=120,
            capture_output=True,
        )
        for to in addresses:
            assert len(smtp.mailbox.to(to)) == 1
        assert {row.status for row in _rows(outbox_db)} == {"sent"}
    finally:
        redis_server.stop()


def test_a_commit_in_a_request_wakes_the_apps_runner(outbox_db: Database) -> None:
    from flask import Flask

    from hookwire.emails import EMAILS_KEY

    class Runner:
        woken = 0

        def notify(self) -> None:
            self.woken += 1

    app = Flask(__name__)
    runner = app.extensions[EMAILS_KEY] = Runner()
    with app.app_context():
        with transaction(outbox_db.engine) as session:
            enqueue_email(session, "password_reset", _address(), _sample("password_reset"))
            enqueue_email(session, "api_key_expired", _address(), _sample("api_key_expired"))
            assert runner.woken == 0
        assert runner.woken == 1  # once per commit, however many emails it held
    # An email is operational by its template's topic.
    assert [row.operational for row in sorted(_rows(outbox_db), key=lambda r: r.operational)] == [
        False,
        True,
    ]


def test_the_purge_job_deletes_only_done_emails_past_retention(outbox_db: Database) -> None:
    from hookwire.jobs.scheduled import run_job

    config = load_config(
        {
            "DATABASE_URL": outbox_db.url,
            "APP_SECRET": APP_SECRET,
            "HOOKWIRE_EMAIL_RETENTION_DAYS": "30",
        }
    )
    workspace_id, _ = new_workspace(outbox_db)
    ages = {"sent": 31, "failed": 40, "pending": 45, "recent": 1}
    with transaction(outbox_db.engine) as session:
        for label, days in ages.items():
            row = enqueue_email(
                session,
                "invitation",
                f"{label}@example.com",
                _sample("invitation"),
                workspace_id=workspace_id,
            )
            row.status = "sent" if label == "recent" else label
            row.created_at = datetime.now(UTC) - timedelta(days=days)
            session.add(row)

    assert run_job(outbox_db.engine, config, "email_outbox_purge") == 2
    # A pending email is kept however old: it has yet to be sent.
    left = {row.to for row in _rows(outbox_db, workspace_id=workspace_id)}
    assert left == {"pending@example.com", "recent@example.com"}
    assert run_job(outbox_db.engine, config, "email_outbox_purge") == 0
