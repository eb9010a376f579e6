"""Delivery state in the database, the source of truth: relay, claim, load, record outcomes.

A delivery is ``pending`` until claimed; a claim sets ``sending``, a lease and a fresh claim
token. A claim whose lease runs out (its worker died, or Redis lost the job) is due again, so
nothing waits forever; a worker that finds its token replaced skips the delivery. Statements
are shaped to work on SQLite and PostgreSQL alike, with ``SKIP LOCKED`` where Postgres has it.

Every attempt that may have reached its receiver is in the log: loading a batch counts an
attempt on each delivery, and recording an outcome logs it. A process killed in between
leaves its deliveries ``sending`` with an attempt counted but not logged; the claim that takes
such a delivery over logs that attempt as interrupted. A failing webhook has
at most one delivery in flight at a time (a probe), so a dead target holds one sender, not
all of them, until it answers again.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import takewhile
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as sa_postgres
from sqlalchemy.dialects import sqlite as sa_sqlite
from sqlmodel import Session, select

from hookwire.crm.documents import iso_timestamp
from hookwire.hooks.operations import matches
from hookwire.hooks.retry import RetryPolicy
from hookwire.hooks.webhook_secrets import SecretBox
from hookwire.models import Delivery, DeliveryAttempt, OutboxEvent, Webhook
from hookwire.notices import describe_failure, notify_webhook_disabled, notify_webhook_failing

PENDING, SENDING, SUCCEEDED, FAILED = "pending", "sending", "succeeded", "failed"
INTERRUPTED = "interrupted: the process sending it stopped before recording the outcome"
# Attempt ids derive from (delivery, attempt number): the claim that takes a delivery over
# logs its interrupted attempt unless that very attempt is in the log already.
_ATTEMPT_IDS = uuid.UUID("6f1d8a52-3c1b-4a57-9f0e-2b7c9d4e8a11")


def attempt_id(delivery_id: str, attempt_number: int) -> str:
    return str(uuid.uuid5(_ATTEMPT_IDS, f"{delivery_id}/{attempt_number}"))


@dataclass(frozen=True)
class Claim:
    delivery_id: str
    token: str


@dataclass(frozen=True)
class Batch:
    """Claims sent one after another by one lane. A probe is one delivery of a failing
    webhook, sent to learn whether its target answers again; other batches skip the
    deliveries of webhooks found failing."""

    claims: list[Claim]
    probe: bool = False


@dataclass(frozen=True)
class DeliveryJob:
    """Everything needed to make one attempt, without touching the database."""

    delivery_id: str
    attempt_number: int
    event_id: str
    webhook_id: str
    target_url: str
    secret: str
    body: str

    @property
    def attempt_id(self) -> str:
        return attempt_id(self.delivery_id, self.attempt_number)


@dataclass(frozen=True)
class Outcome:
    job: DeliveryJob
    attempted_at: datetime
    status_code: int | None
    latency_ms: float
    response_body: str | None
    error: str | None
    retry_after: timedelta | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _locked(statement: sa.Select, session: Session) -> sa.Select:
    if _is_postgres(session):
        return statement.with_for_update(skip_locked=True)
    return statement  # SQLite has one writer at a time


def _relaxed(session: Session) -> None:
    """Commit delivery bookkeeping without waiting for the WAL flush (PostgreSQL).

    A crash can lose the last few milliseconds of it; what is lost is then done again (a
    delivery is sent twice), which at-least-once allows. Records and outbox events, written
    by API requests, keep full durability.
    """
    if _is_postgres(session) and not session.info.get(_RELAXED):
        session.execute(_SYNCHRONOUS_COMMIT_OFF)
        session.info[_RELAXED] = True  # once per transaction (a session is one: transaction())


_RELAXED = "hookwire.deliveries.relaxed"
_SYNCHRONOUS_COMMIT_OFF = sa.text("SET LOCAL synchronous_commit TO OFF")


RELAY_LIMIT = 500  # events per relay round
EVENTS = OutboxEvent.__table__
DELIVERIES = Delivery.__table__
WEBHOOKS = Webhook.__table__
_ENABLED_WEBHOOKS = sa.select(WEBHOOKS.c.id, WEBHOOKS.c.workspace_id, WEBHOOKS.c.operations).where(
    WEBHOOKS.c.workspace_id.in_(sa.bindparam("workspace_ids", expanding=True)),
    WEBHOOKS.c.is_enabled,
)


@dataclass(frozen=True)
class Relayed:
    events: int  # outbox events turned into deliveries (or into none: no webhook matched)
    deliveries: int  # deliveries queued


def relay(session: Session, limit: int = RELAY_LIMIT) -> Relayed:
    """Turn up to ``limit`` pending outbox events into one delivery per matching enabled
    webhook."""
    _relaxed(session)
    # One statement marks the oldest pending events relayed and answers them (columns only:
    # the payload stays unparsed until a delivery is sent).
    events = session.execute(_take_pending(session.get_bind().dialect.name), {"limit": limit}).all()
    if not events:
        return Relayed(0, 0)
    webhooks: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    workspace_ids = sorted({event.workspace_id for event in events})
    for webhook_id, workspace_id, operations in session.execute(
        _ENABLED_WEBHOOKS, {"workspace_ids": workspace_ids}
    ):
        webhooks[workspace_id].append((webhook_id, operations))
    rows = [
        {
            "id": str(uuid.uuid4()),
            "event_id": event.id,
            "webhook_id": webhook_id,
            "workspace_id": event.workspace_id,
            "status": PENDING,
            "attempt_count": 0,
            "next_attempt_at": event.created_at,
            "created_at": event.created_at,
        }
        for event in events
        for webhook_id, operations in webhooks[event.workspace_id]
        if matches(operations, event.event_name)
    ]
    if rows:
        session.execute(DELIVERIES.insert(), rows)
    return Relayed(len(events), len(rows))


@functools.cache
def _take_pending(dialect: str) -> sa.Update:
    """Built once per dialect (a round's statements cost more to build than to run)."""
    oldest = (
        sa.select(EVENTS.c.id)
        .where(EVENTS.c.relayed.is_(False))
        .order_by(EVENTS.c.created_at)
        .limit(sa.bindparam("limit"))
    )
    if dialect == "postgresql":
        oldest = oldest.with_for_update(skip_locked=True)
    return (
        sa.update(EVENTS)
        .where(EVENTS.c.id.in_(oldest.scalar_subquery()))
        .values(relayed=True)
        .returning(EVENTS.c.id, EVENTS.c.workspace_id, EVENTS.c.event_name, EVENTS.c.created_at)
    )


def claim_due(
    session: Session, limit: int, lease: timedelta, now: datetime
) -> tuple[list[Claim], list[Claim]]:
    """Take up to ``limit`` due deliveries of enabled, healthy webhooks (oldest first, then
    ordered by webhook so batches mostly hold one target), and one probe for each failing
    webhook with nothing in flight: ``(claims, probes)``."""
    _relaxed(session)
    due = _due(now)
    candidates = session.execute(
        _locked(
            select(*_CLAIMED)
            .join(Webhook, Webhook.id == Delivery.webhook_id)
            .where(due, Webhook.is_enabled, Webhook.failing_since.is_(None))
            .order_by(Delivery.next_attempt_at)
            .limit(limit),
            session,
        )
    ).all()
    probes = _probes(session, due, now)
    taken = sorted(candidates, key=lambda row: row.webhook_id) + probes
    if not taken:
        return [], []
    _interrupt(session, [row for row in taken if row.status == SENDING])
    # One token per round: a later claim of any of these deliveries replaces it.
    token = str(uuid.uuid4())
    session.execute(
        sa.update(Delivery)
        .where(Delivery.id.in_([row.id for row in taken]))
        .values(status=SENDING, claim_token=token, lease_expires_at=now + lease)
    )
    claims = [Claim(row.id, token) for row in taken]
    return claims[: len(candidates)], claims[len(candidates) :]


_CLAIMED = (
    Delivery.id,
    Delivery.webhook_id,
    Delivery.event_id,
    Delivery.status,
    Delivery.attempt_count,
)


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
        sa.and_(Delivery.status == SENDING, Delivery.lease_expires_at < now),
    )


def _probes(session: Session, due: sa.ColumnElement[bool], now: datetime) -> list[sa.Row]:
    """The oldest due delivery of each enabled failing webhook that has none in flight."""
    in_flight = select(Delivery.webhook_id).where(
        Delivery.status == SENDING, Delivery.lease_expires_at >= now
    )
    failing = session.scalars(
        select(Webhook.id).where(
            Webhook.is_enabled,
            Webhook.failing_since.is_not(None),
            Webhook.id.not_in(in_flight),
        )
    ).all()
    probes = []
    for webhook_id in failing:
        probe = session.execute(
            _locked(
                select(*_CLAIMED)
                .where(Delivery.webhook_id == webhook_id, due)
                .order_by(Delivery.next_attempt_at)
                .limit(1),
                session,
            )
        ).first()
        if probe is not None:
            probes.append(probe)
    return probes


def _interrupt(session: Session, taken_over: list[sa.Row]) -> None:
    """Log the attempts that the previous holders of ``taken_over`` counted but never
    recorded (an attempt already in the log, or none counted yet, is left alone)."""
    rows = [
        {
            "id": attempt_id(row.id, row.attempt_count),
            "delivery_id": row.id,
            "webhook_id": row.webhook_id,
            "event_id": row.event_id,
            "attempt_number": row.attempt_count,
            "attempted_at": datetime.now(UTC),
            "latency_ms": 0.0,
            "error": INTERRUPTED,
        }
        for row in taken_over
        if row.attempt_count > 0
    ]
    if rows:
        insert = sa_postgres.insert if _is_postgres(session) else sa_sqlite.insert
        session.execute(insert(DeliveryAttempt).values(rows).on_conflict_do_nothing())


def release(session: Session, claims: list[Claim]) -> None:
    """Give claims back (their jobs could not be queued): due again at once."""
    _relaxed(session)
    for claim in claims:
        session.execute(
            sa.update(Delivery)
            .where(Delivery.id == claim.delivery_id, Delivery.claim_token == claim.token)
            .values(status=PENDING, claim_token=None, lease_expires_at=None)
        )


def load_jobs(
    session: Session, batch: Batch, secrets: SecretBox, lease_until: datetime
) -> list[DeliveryJob]:
    """Jobs for the batch's claims still held (token unchanged), their leases extended and
    their attempts started: counted, and written to the log as in flight. Deliveries of a
    webhook disabled since the claim, or (outside a probe) found failing, are given back.

    The leases are extended first, and only the deliveries that extension held are loaded:
    read first, a claim could be taken over (its lease ran out while its job waited) between
    the read and the extension, and two processes would send it."""
    attempts = extend_leases(session, batch.claims, lease_until, start_attempt=True)
    if not attempts:
        return []
    rows = session.execute(
        sa.select(
            Delivery.id,
            Webhook.id.label("webhook_id"),
            Webhook.target_url, Webhook.secret_ciphertext, Webhook.is_enabled,
            Webhook.failing_since,
            OutboxEvent.id.label("event_id"), OutboxEvent.event_name, OutboxEvent.workspace_id,
            OutboxEvent.object_metadata_id, OutboxEvent.created_at, OutboxEvent.payload,
        )
        .join(OutboxEvent, OutboxEvent.id == Delivery.event_id)
        .join(Webhook, Webhook.id == Delivery.webhook_id)
        .where(Delivery.id.in_(list(attempts)))
    ).all()  # fmt: skip
    opened: dict[str, str] = {}

    def secret_of(row: sa.Row) -> str:  # one decryption per webhook, not per delivery
        if row.webhook_id not in opened:
            opened[row.webhook_id] = secrets.open(row.secret_ciphertext)
        return opened[row.webhook_id]

    def sendable(row: sa.Row) -> bool:
        return row.is_enabled and (batch.probe or row.failing_since is None)

    jobs = [
        DeliveryJob(
            delivery_id=row.id,
            attempt_number=attempts[row.id],
            event_id=row.event_id,
            webhook_id=row.webhook_id,
            target_url=row.target_url,
            secret=secret_of(row) if sendable(row) else "",
            body=event_body(row, row.webhook_id) if sendable(row) else "",
        )
        for row in rows
    ]
    to_send = [job for job in jobs if job.body]
    if len(to_send) < len(jobs):
        release_unsent(session, [job for job in jobs if not job.body])
    return to_send


def release_unsent(session: Session, jobs: list[DeliveryJob]) -> None:
    """Give back loaded deliveries that were not sent: due again at once, their attempt no
    longer counted."""
    if not jobs:
        return
    _relaxed(session)
    session.execute(
        sa.update(Delivery),
        [
            {
                "id": job.delivery_id,
                "status": PENDING,
                "attempt_count": job.attempt_number - 1,
                "claim_token": None,
                "lease_expires_at": None,
            }
            for job in jobs
        ],
    )


def extend_leases(
    session: Session, claims: list[Claim], lease_until: datetime, *, start_attempt: bool = False
) -> dict[str, int]:
    """Hold the claims that are still ours (token unchanged) until ``lease_until`` (and, with
    ``start_attempt``, count one more attempt on each); the attempt count of each held.
    On PostgreSQL the rows stay locked until the commit, so a claim being taken over at the
    same moment is either extended here or left out, never both."""
    held: dict[str, int] = {}
    if not claims:
        return held
    _relaxed(session)
    by_token: dict[str, list[str]] = defaultdict(list)
    for claim in claims:
        by_token[claim.token].append(claim.delivery_id)
    values: dict[str, Any] = {"lease_expires_at": lease_until}
    if start_attempt:
        values["attempt_count"] = Delivery.attempt_count + 1
    for token, delivery_ids in by_token.items():
        extended = session.execute(
            sa.update(Delivery)
            .where(
                Delivery.id.in_(delivery_ids),
                Delivery.claim_token == token,
                Delivery.status == SENDING,
            )
            .values(values)
            .returning(Delivery.id, Delivery.attempt_count)
        )
        held.update((delivery_id, count) for delivery_id, count in extended)
    return held


def event_body(event: sa.Row, webhook_id: str) -> str:
    """Twenty's webhook body for one event (its outbox columns) and one webhook."""
    payload = event.payload
    body: dict[str, Any] = {
        "eventName": event.event_name,
        "objectMetadata": {"id": event.object_metadata_id, "nameSingular": payload["nameSingular"]},
        "workspaceId": event.workspace_id,
        "webhookId": webhook_id,
        "eventDate": iso_timestamp(event.created_at),
        "record": payload["record"],
    }
    if "updatedFields" in payload:
        body["updatedFields"] = payload["updatedFields"]
    return json.dumps(body, separators=(",", ":"))


def record_outcomes(
    session: Session, outcomes: list[Outcome], policy: RetryPolicy, now: datetime
) -> None:
    """Log every attempt; settle or reschedule each delivery; disable webhooks that must be."""
    if not outcomes:
        return
    _relaxed(session)
    session.execute(
        sa.insert(DeliveryAttempt),
        [
            {
                "id": o.job.attempt_id,
                "delivery_id": o.job.delivery_id,
                "webhook_id": o.job.webhook_id,
                "event_id": o.job.event_id,
                "attempt_number": o.job.attempt_number,
                "attempted_at": o.attempted_at,
                "status_code": o.status_code,
                "latency_ms": o.latency_ms,
                "response_body": o.response_body,
                "error": o.error,
            }
            for o in outcomes
        ],
    )
    settled: dict[tuple, list[str]] = defaultdict(list)
    rescheduled = []
    for outcome in outcomes:
        update = _delivery_update(outcome, policy, now)
        if update["status"] == PENDING:
            rescheduled.append(update)  # each retry time has its own jitter
        else:
            delivery_id = update.pop("id")
            settled[tuple(sorted(update.items()))].append(delivery_id)
    # Most outcomes in a batch are alike (delivered, 200): one statement per kind.
    for values, delivery_ids in settled.items():
        session.execute(
            sa.update(Delivery).where(Delivery.id.in_(delivery_ids)).values(dict(values))
        )
    if rescheduled:
        session.execute(sa.update(Delivery), rescheduled)
    _update_webhooks(session, outcomes, policy, now)


def _delivery_update(outcome: Outcome, policy: RetryPolicy, now: datetime) -> dict[str, Any]:
    update: dict[str, Any] = {
        "id": outcome.job.delivery_id,
        "attempt_count": outcome.job.attempt_number,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "claim_token": None,
        "lease_expires_at": None,
    }
    if outcome.succeeded:
        return {**update, "status": SUCCEEDED, "completed_at": now}
    retry_at = None
    if outcome.status_code != 410:
        retry_at = policy.next_attempt_at(outcome.job.attempt_number, now, outcome.retry_after)
    if retry_at is None:
        return {**update, "status": FAILED, "completed_at": now}
    return {**update, "status": PENDING, "next_attempt_at": retry_at}


def _update_webhooks(
    session: Session, outcomes: list[Outcome], policy: RetryPolicy, now: datetime
) -> None:
    by_webhook: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_webhook[outcome.job.webhook_id].append(outcome)
    webhooks = session.exec(select(Webhook).where(Webhook.id.in_(list(by_webhook)))).all()
    for webhook in webhooks:
        ordered = sorted(by_webhook[webhook.id], key=lambda o: o.attempted_at)
        latest = ordered[-1]
        if latest.succeeded:
            webhook.failing_since, webhook.failing_notice_at = None, None
            webhook.consecutive_failures = 0
            session.add(webhook)
            continue
        failed_in_a_row = len(list(takewhile(lambda o: not o.succeeded, reversed(ordered))))
        if failed_in_a_row < len(ordered):  # a success earlier in this batch ended a run
            webhook.consecutive_failures = 0
        webhook.consecutive_failures += failed_in_a_row
        webhook.failing_since = webhook.failing_since or ordered[-failed_in_a_row].attempted_at
        if latest.status_code == 410:
            _disable(session, webhook, "The target answered 410 Gone.", gone=True)
        elif policy.should_disable(webhook.failing_since, now):
            reason = f"Every attempt failed since {iso_timestamp(webhook.failing_since)}."
            _disable(session, webhook, reason, gone=False)
        elif policy.should_warn(webhook.consecutive_failures) and _claim_warning(
            session, webhook, now
        ):
            notify_webhook_failing(
                session,
                webhook,
                describe_failure(latest.status_code, latest.error),
                webhook.failing_since + policy.disable_after,
            )
        session.add(webhook)


def _disable(session: Session, webhook: Webhook, reason: str, gone: bool) -> None:
    """Disable ``webhook`` and tell its admins, once: of concurrent recorders, the one whose
    conditional update finds it still enabled does both."""
    disabled = session.execute(
        sa.update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.is_enabled)
        .values(is_enabled=False, disabled_reason=reason)
    )
    webhook.is_enabled, webhook.disabled_reason = False, reason
    if disabled.rowcount == 1:
        notify_webhook_disabled(session, webhook, gone=gone)


def _claim_warning(session: Session, webhook: Webhook, now: datetime) -> bool:
    """Whether this recorder is the one to send this run of failures' warning."""
    claimed = session.execute(
        sa.update(Webhook)
        .where(Webhook.id == webhook.id, Webhook.failing_notice_at.is_(None))
        .values(failing_notice_at=now)
    )
    webhook.failing_notice_at = webhook.failing_notice_at or now
    return claimed.rowcount == 1
