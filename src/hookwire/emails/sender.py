"""Sending: claim due emails from the outbox, send them through a driver, record each outcome.

A claim moves an email's ``next_attempt_at`` a lease ahead and counts the attempt, in one
transaction that locks the rows it reads (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's
write transactions already run one at a time): two senders never hold the same email. An
outcome is written only by the sender whose attempt it is, so one whose lease ran out
cannot overwrite a later attempt. A sender that dies leaves its emails to come due again
when the lease ends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import make_msgid

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import EmailSettings
from hookwire.database import transaction
from hookwire.emails.drivers import Driver, PermanentFailure, Send, TemporaryFailure
from hookwire.emails.message import OutgoingEmail, build_message
from hookwire.emails.rendering import EmailTemplateError
from hookwire.models import EmailOutbox

EMAILS = EmailOutbox.__table__
BATCH_SIZE = 20
MAX_ERROR = 2000

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    email: OutgoingEmail
    status: str  # sent, failed, retry
    error: str | None = None


def lease(settings: EmailSettings, size: int = BATCH_SIZE) -> timedelta:
    """How long a claim holds its emails: longer than sending the whole batch can take."""
    return timedelta(seconds=settings.timeout * (size + 2) * 2)


def claim_due(
    session: Session, settings: EmailSettings, now: datetime, limit: int = BATCH_SIZE
) -> list[OutgoingEmail]:
    """Take up to ``limit`` due pending emails, oldest first, for one attempt each."""
    # Inputs: now, limit. Answer: the due pending emails no other sender has locked.
    rows = session.execute(
        sa.select(EMAILS)
        .where(EMAILS.c.status == "pending", EMAILS.c.next_attempt_at <= now)
        .order_by(EMAILS.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    domain = settings.from_address.rpartition("@")[2]
    held_until = now + lease(settings, limit)
    claimed = []
    for row in rows:
        # One Message-ID for every attempt: a receiver that got an earlier one sees a repeat.
        message_id = row.message_id or make_msgid(domain=domain)
        session.execute(
            sa.update(EMAILS)
            .where(EMAILS.c.id == row.id)
            .values(attempts=row.attempts + 1, next_attempt_at=held_until, message_id=message_id)
        )
        claimed.append(
            OutgoingEmail(
                id=row.id,
                to=row.to,
                template=row.template,
                values=row.values,
                operational=row.operational,
                message_id=message_id,
                attempts=row.attempts + 1,
            )
        )
    return claimed


def deliver(emails: list[OutgoingEmail], settings: EmailSettings, driver: Driver) -> list[Outcome]:
    """Send ``emails`` through one session of ``driver``: each one's outcome."""
    outcomes: list[Outcome] = []
    try:
        with driver.open() as send:
            for email in emails:
                outcomes.append(_deliver_one(email, settings, send))
    except TemporaryFailure as error:  # could not connect: every email not sent waits
        done = {outcome.email.id for outcome in outcomes}
        outcomes += [Outcome(e, "retry", str(error)) for e in emails if e.id not in done]
    return outcomes


def _deliver_one(email: OutgoingEmail, settings: EmailSettings, send: Send) -> Outcome:
    try:
        send(build_message(email, settings))
    except EmailTemplateError as error:  # the template changed since it was queued
        return Outcome(email, "failed", str(error))
    except PermanentFailure as error:
        return Outcome(email, "failed", str(error))
    except TemporaryFailure as error:
        return Outcome(email, "retry", str(error))
    return Outcome(email, "sent")


def record(
    session: Session,
    outcomes: Iterable[Outcome],
    settings: EmailSettings,
    driver_name: str,
    now: datetime,
) -> None:
    """Write each outcome, unless the email's attempt is no longer this sender's."""
    schedule = settings.retry_schedule
    for outcome in outcomes:
        email = outcome.email
        error = (outcome.error or "")[:MAX_ERROR] or None
        if outcome.status == "sent":
            values = {"status": "sent", "sent_at": now, "last_error": None, "driver": driver_name}
        elif outcome.status == "retry" and email.attempts <= len(schedule):
            delay = timedelta(seconds=schedule[email.attempts - 1])
            values = {"next_attempt_at": now + delay, "last_error": error}
        else:
            if outcome.status == "retry":
                error = f"gave up after {email.attempts} attempts: {error}"[:MAX_ERROR]
            values = {"status": "failed", "last_error": error, "driver": driver_name}
            log.warning("email %s to %s failed: %s", email.id, email.to, error)
        session.execute(
            sa.update(EMAILS)
            .where(
                EMAILS.c.id == email.id,
                EMAILS.c.status == "pending",
                EMAILS.c.attempts == email.attempts,
            )
            .values(**values)
        )


def send_due(
    engine: Engine,
    settings: EmailSettings,
    driver: Driver,
    *,
    now: datetime | None = None,
    limit: int = BATCH_SIZE,
) -> int:
    """Claim, send and record one batch of due emails; how many were claimed."""
    with transaction(engine) as session:
        emails = claim_due(session, settings, now or datetime.now(UTC), limit)
    if not emails:
        return 0
    outcomes = deliver(emails, settings, driver)
    with transaction(engine) as session:
        record(session, outcomes, settings, driver.name, datetime.now(UTC))
    return len(emails)


def send_pending(engine: Engine, settings: EmailSettings, driver: Driver) -> int:
    """Send batches until no email is due; how many were attempted."""
    total = 0
    while True:
        claimed = send_due(engine, settings, driver)
        total += claimed
        if claimed < BATCH_SIZE:
            return total


def has_due(engine: Engine, now: datetime | None = None) -> bool:
    """Whether any pending email is due (a cheap look for the runner in Redis mode)."""
    with transaction(engine, write=False) as session:
        found = session.execute(
            sa.select(EMAILS.c.id)
            .where(
                EMAILS.c.status == "pending", EMAILS.c.next_attempt_at <= (now or datetime.now(UTC))
            )
            .limit(1)
        ).first()
    return found is not None
