"""When to try a failed delivery again, and when to give up on it or on its webhook."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_RETRY_AFTER = timedelta(hours=24)
JITTER = 0.2


@dataclass(frozen=True)
class RetryPolicy:
    """``schedule[i]`` is the delay before attempt ``i + 1`` (attempt 1 is immediate); a
    webhook failing for ``disable_after`` is disabled, and its admins are warned once it
    has failed ``warn_after`` attempts in a row."""

    schedule: tuple[float, ...]
    disable_after: timedelta
    warn_after: int = 5

    @property
    def max_attempts(self) -> int:
        return len(self.schedule)

    def next_attempt_at(
        self, attempts_made: int, now: datetime, retry_after: timedelta | None = None
    ) -> datetime | None:
        """When to try again after ``attempts_made`` failures, or None to give up."""
        if attempts_made >= self.max_attempts:
            return None
        delay = self.schedule[attempts_made]
        delay *= 1 + random.uniform(-JITTER, JITTER)  # spread retries of a failing endpoint
        wait = timedelta(seconds=delay)
        if retry_after is not None:
            wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
        return now + wait

    def should_disable(self, failing_since: datetime | None, now: datetime) -> bool:
        return failing_since is not None and now - failing_since >= self.disable_after

    def should_warn(self, consecutive_failures: int) -> bool:
        return consecutive_failures >= self.warn_after


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """``Retry-After`` as seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():  # isdigit() alone takes '²'
        return timedelta(seconds=int(value) if len(value) <= 9 else 10**9)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))
