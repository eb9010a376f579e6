"""Notices keyed by what they are about, so that each is written to the outbox once however
many jobs look for it at the same time."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from hookwire.models import NoticeSent

# Longer than any window a key is looked for in (an expired key is noticed within 7 days).
KEEP_KEYS_FOR = timedelta(days=30)


def claim_notice(session: Session, key: str) -> bool:
    """Whether this transaction is the first to send the notice ``key``. A concurrent
    claimer of the same key waits for this one's transaction and then gets False."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    inserted = session.execute(
        dialect.insert(NoticeSent)
        .values(key=key)
        .on_conflict_do_nothing()
        .returning(NoticeSent.key)
    )
    return inserted.first() is not None


def forget_old_notices(session: Session, now: datetime) -> None:
    session.execute(sa.delete(NoticeSent).where(col(NoticeSent.created_at) < now - KEEP_KEYS_FOR))
