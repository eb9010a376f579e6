"""Sign-in throttling: too many bad passwords lock an address (and a client) for a while."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hookwire.models import SignInThrottle, utcnow

WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 50
_TABLE = SignInThrottle.__table__


class SignInThrottled(Exception):
    """Sign-ins are refused for ``retry_after`` more seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"Too many failed sign-ins. Try again in {minutes} minute{'s' * (minutes > 1)}."
        )
        self.retry_after = retry_after


def throttle_keys(email: str, client: str | None) -> dict[str, int]:
    """The counters a sign-in attempt touches, with their limits."""
    return {f"email:{email}": MAX_FAILURES_PER_EMAIL, f"client:{client}": MAX_FAILURES_PER_CLIENT}


def reserve_attempt(session: Session, keys: dict[str, int]) -> None:
    """Count a sign-in attempt against each of ``keys`` before its password is checked, or
    raise SignInThrottled while a key is locked or its attempts are all taken.

    Each key is counted and read in one statement, so of N simultaneous attempts only the
    first ``limit`` get their password checked. On SignInThrottled the caller rolls back, so a
    refused attempt counts for nothing."""
    now = utcnow()
    for key, limit in keys.items():
        failures, locked_until = session.execute(_count_attempt(session, key, now)).one()
        if locked_until is not None and locked_until > now:
            raise SignInThrottled(math.ceil((locked_until - now).total_seconds()))
        if failures > limit:  # the other attempts in flight may still lock the key
            raise SignInThrottled(int(LOCKOUT.total_seconds()))


def record_failure(session: Session, keys: dict[str, int]) -> None:
    """A wrong password: lock each key whose counted attempts reached its limit."""
    locked_until = utcnow() + LOCKOUT
    for key, limit in keys.items():
        # Inputs: a key, its limit, the lock's end. Answer: none; the key is locked if its
        # attempts reached the limit and it is not locked already.
        session.execute(
            sa.update(_TABLE)
            .where(
                _TABLE.c.key == key,
                _TABLE.c.failures >= limit,
                _TABLE.c.locked_until.is_(None),
            )
            .values(locked_until=locked_until)
        )


def record_success(session: Session, keys: dict[str, int]) -> None:
    """A right password: the address's count (the first key) starts over, and the other keys
    give back the attempt reserve_attempt counted."""
    email_key, *other_keys = keys
    # Inputs: the address's key. Answer: none; its counter is gone.
    session.execute(sa.delete(_TABLE).where(_TABLE.c.key == email_key))
    # Inputs: the other keys. Answer: none; each counts one attempt less.
    session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.key.in_(other_keys), _TABLE.c.failures > 0)
        .values(failures=_TABLE.c.failures - 1)
    )


def _count_attempt(session: Session, key: str, now: datetime) -> sa.Executable:
    """The statement that counts one attempt against ``key``, starting a new window if the
    last one (or its lock) is over, and answers the key's ``failures`` and ``locked_until``."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_TABLE)
    stamp = sa.literal(now, _TABLE.c.window_started_at.type)
    window_over = sa.or_(
        _TABLE.c.locked_until <= now,
        sa.and_(_TABLE.c.locked_until.is_(None), _TABLE.c.window_started_at <= now - WINDOW),
    )
    # Inputs: the key and the time. Answer: one row, the key's counter after this attempt.
    # A new key starts at 1; an existing one restarts at 1 when its window or lock is over,
    # and otherwise counts one more (the row stays locked until the transaction ends).
    return (
        insert.values(key=key, failures=1, window_started_at=stamp, locked_until=None)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.key],
            set_={
                "failures": sa.case((window_over, 1), else_=_TABLE.c.failures + 1),
                "window_started_at": sa.case(
                    (window_over, stamp), else_=_TABLE.c.window_started_at
                ),
                "locked_until": sa.case((window_over, sa.null()), else_=_TABLE.c.locked_until),
            },
        )
        .returning(_TABLE.c.failures, _TABLE.c.locked_until)
    )
