"""Deleting what no calendar holds any more: an event occurrence whose last link is gone
(deleted on the server, dropped from its recurrence, or its account disconnected), and its
participants. Occurrences that another connected calendar still holds stay."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from hookwire.crm import Comparator, Condition, RecordStore
from hookwire.models import CalendarEventKey, CalendarEventLink

LINKS = CalendarEventLink.__table__
KEYS = CalendarEventKey.__table__
CHUNK = 200  # ids in one IN list


def forget_links(session: Session, channel_id: str, hrefs: Iterable[str]) -> None:
    """Drop the links of the channel's calendar objects at ``hrefs``."""
    wanted = sorted(hrefs)
    for start in range(0, len(wanted), CHUNK):
        # Inputs: the channel, some hrefs. Answer: none (their links deleted).
        session.execute(
            LINKS.delete().where(
                LINKS.c.channel_id == channel_id,
                LINKS.c.href.in_(wanted[start : start + CHUNK]),
            )
        )


def linked_etags(session: Session, channel_id: str, calendar_path: str) -> dict[str, set[str]]:
    """The etags the channel's links record, by object href, under the calendar at
    ``calendar_path``."""
    # Inputs: the channel, a calendar's path. Answer: (href, etag) of the links below it.
    prefix = calendar_path.rstrip("/") + "/"
    rows = session.execute(
        sa.select(LINKS.c.href, LINKS.c.etag).where(
            LINKS.c.channel_id == channel_id, LINKS.c.href.startswith(prefix, autoescape=True)
        )
    )
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.href, set()).add(row.etag)
    return found


def remove_orphan_events(session: Session, store: RecordStore, workspace_id: str) -> int:
    """Destroy every imported event of the workspace that no calendar holds, with its
    participants; how many events."""
    # Inputs: the workspace. Answer: its imported events that no calendar_event_link names.
    orphans = sorted(
        set(
            session.execute(
                sa.select(KEYS.c.event_id).where(
                    KEYS.c.workspace_id == workspace_id,
                    ~sa.exists().where(LINKS.c.event_id == KEYS.c.event_id),
                )
            ).scalars()
        )
    )
    if not orphans:
        return 0
    participants = store.catalog.object_by_singular("calendarEventParticipant")
    events = store.catalog.object_by_singular("calendarEvent")
    for start in range(0, len(orphans), CHUNK):
        chunk = orphans[start : start + CHUNK]
        if participants is not None:
            store.destroy_all(participants, Condition("calendarEventId", Comparator.IN, chunk))
        if events is not None:
            store.destroy_all(events, Condition("id", Comparator.IN, chunk))
        # Inputs: the workspace, the destroyed events. Answer: none (their keys deleted).
        session.execute(
            KEYS.delete().where(KEYS.c.workspace_id == workspace_id, KEYS.c.event_id.in_(chunk))
        )
    return len(orphans)
