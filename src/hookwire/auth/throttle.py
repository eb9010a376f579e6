"""Sign-in throttling: too many bad passwords lock an address (and a client) for a while."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlmodel import Session

from hookwire.models import SignInThrottle, utcnow

WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_CLIENT = 50


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


def check_allowed(session: Session, keys: dict[str, int]) -> None:
    """Raise SignInThrottled while any of ``keys`` is locked."""
    now = utcnow()
    for key in keys:
        row = session.get(SignInThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            raise SignInThrottled(math.ceil((row.locked_until - now).total_seconds()))


def record_failure(session: Session, keys: dict[str, int]) -> None:
    now = utcnow()
    for key, limit in keys.items():
        row = session.get(SignInThrottle, key) or SignInThrottle(key=key, window_started_at=now)
        if _window_over(row, now):
            row.failures, row.window_started_at, row.locked_until = 0, now, None
        row.failures += 1
        if row.failures >= limit:
            row.locked_until = now + LOCKOUT
        session.add(row)


def record_success(session: Session, email_key: str) -> None:
    row = session.get(SignInThrottle, email_key)
    if row is not None:
        session.delete(row)


def _window_over(row: SignInThrottle, now: datetime) -> bool:
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.window_started_at + WINDOW <= now
