"""The jobs that run on a timer. Each is idempotent: a second run (two servers, each with a
scheduler) finds its work done."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import Config
from hookwire.database import transaction
from hookwire.emails import purge_emails
from hookwire.jobs.state import worker_state
from hookwire.notices import forget_old_notices, send_api_key_notices, send_failing_digests


@dataclass(frozen=True)
class ScheduledJob:
    """A job run every ``interval``: ``run(session, now, config)`` does one round in one
    transaction and answers how many things it wrote or removed."""

    name: str
    interval: timedelta
    run: Callable[[Session, datetime, Config], int]


def _api_key_notices(session: Session, now: datetime, config: Config) -> int:
    forget_old_notices(session, now)
    return send_api_key_notices(session, now)


def _failing_digests(session: Session, now: datetime, config: Config) -> int:
    return send_failing_digests(session, now, config.webhooks.disable_after)


def _email_purge(session: Session, now: datetime, config: Config) -> int:
    return purge_emails(session, now - config.emails.retention)


SCHEDULED_JOBS: Mapping[str, ScheduledJob] = MappingProxyType(
    {
        job.name: job
        for job in (
            ScheduledJob("api_key_notices", timedelta(hours=1), _api_key_notices),
            ScheduledJob("webhook_failing_digests", timedelta(hours=1), _failing_digests),
            ScheduledJob("email_outbox_purge", timedelta(hours=1), _email_purge),
        )
    }
)


def run_job(engine: Engine, config: Config, name: str) -> int:
    """One round of the job ``name``, committed."""
    job = SCHEDULED_JOBS[name]
    with transaction(engine) as session:
        return job.run(session, datetime.now(UTC), config)


def run_scheduled_job(name: str) -> int:
    """The RQ job a worker runs when rq.cron enqueues ``name``."""
    engine, config = worker_state()
    return run_job(engine, config, name)
