"""When each API key was last used, kept to the minute so most requests only read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hookwire.models import ApiKeyUse, utcnow

PRECISION = timedelta(minutes=1)


def key_use_is_stale(last_used: datetime | None) -> bool:
    """Whether a key last used at ``last_used`` needs its use noted again."""
    return last_used is None or last_used <= utcnow() - PRECISION


def note_key_use(session: Session, key_id: str) -> None:
    """Record that ``key_id`` was used now, in the caller's (write) transaction."""
    now = utcnow()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(ApiKeyUse).values(api_key_id=key_id, last_used_at=now)
    session.execute(
        upsert.on_conflict_do_update(index_elements=["api_key_id"], set_={"last_used_at": now})
    )


def last_uses(session: Session, key_ids: Iterable[str]) -> dict[str, datetime]:
    """The last use of each of ``key_ids`` that was ever used."""
    rows = session.execute(
        sa.select(ApiKeyUse.api_key_id, ApiKeyUse.last_used_at).where(
            ApiKeyUse.api_key_id.in_(list(key_ids))
        )
    ).all()
    return dict(rows)
