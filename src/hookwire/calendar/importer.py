"""Writing a calendar's events into the CRM: one event record per occurrence, its
participants matched to people and workspace members, and where the calendar holds each.

An occurrence is one record per workspace, whichever calendars hold it (found by its iCalUID
and occurrence key); each calendar object that holds it is a ``calendar_event_link`` row.
Everything goes through the records store, so every record written is an event for the
webhooks; a record whose fields are as they were is left alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from hookwire.calendar.cleanup import forget_links
from hookwire.calendar.collection import CalendarObject
from hookwire.calendar.events import Occurrence, UnreadableEvent, read_occurrences
from hookwire.connected_accounts import ChannelLease, ChannelSync, ClientT, Correspondents
from hookwire.crm import (
    Comparator,
    Condition,
    RecordStore,
)
from hookwire.models import CalendarEventKey, CalendarEventLink, new_id, utcnow

log = logging.getLogger(__name__)
LINKS = CalendarEventLink.__table__
KEYS = CalendarEventKey.__table__
LOOKUP_CHUNK = 200  # values in one IN list
_OBJECTS = ("calendarEvent", "calendarEventParticipant", "person")
# What tells two participant records apart: a change in any of these replaces them.
_PARTICIPANT_FIELDS = (
    "handle",
    "displayName",
    "isOrganizer",
    "responseStatus",
    "personId",
    "workspaceMemberId",
)


@dataclass
class Imported:
    """What one batch did: event records created, and updated."""

    created: int = 0
    updated: int = 0


@dataclass
class _Batch:
    """What one batch writes: the hrefs it settles, their links, and the records."""

    hrefs: list[str] = field(default_factory=list)  # whose links are replaced by ``links``
    links: list[dict[str, Any]] = field(default_factory=list)
    created: dict[str, Occurrence] = field(default_factory=dict)  # by new record id
    current: dict[str, Occurrence] = field(default_factory=dict)  # by existing record id
    keys: list[dict[str, Any]] = field(default_factory=list)  # new calendar_event_key rows


# What an object's text says: its occurrences by key, within the window or already known.
ObjectReader = Callable[[str, tuple[datetime, datetime], Iterable[str]], dict[str, Occurrence]]


class EventImporter:
    """Writes the events of one channel's calendars through ``store``.

    Arguments:
        session: the batch's transaction.
        store: the workspace's records store (its actor is the calendar).
        lease: the channel being synced: its workspace and id.
        window: (start, end) of the occurrences a calendar brings in.
        reader: how an object's text reads into occurrences: iCalendar (CalDAV), or a
            provider's JSON event (Google, Microsoft); UnreadableEvent for one it cannot.
    """

    def __init__(
        self,
        session: Session,
        store: RecordStore,
        lease: ChannelLease,
        window: tuple[datetime, datetime],
        reader: ObjectReader = read_occurrences,
    ) -> None:
        self.session = session
        self.store = store
        self.lease = lease
        self.window = window
        self.reader = reader
        self.workspace_id = lease.workspace_id
        self.specs = {name: store.catalog.object_by_singular(name) for name in _OBJECTS}

    def import_batch(self, objects: Sequence[CalendarObject]) -> Imported:
        """Write what ``objects`` say: new occurrences created, changed ones updated in
        place, and the links of occurrences (or objects) gone dropped. An object whose links
        already carry its etag is skipped, so a batch run twice writes nothing twice."""
        held = self._links([item.href for item in objects])
        batch = _Batch()
        unlinked: list[tuple[CalendarObject, Occurrence]] = []
        for item in objects:
            known = held.get(item.href, {})
            if item.etag and item.text and {etag for _, etag in known.values()} == {item.etag}:
                continue
            occurrences = self._read(item, known)
            if occurrences is None:
                continue
            batch.hrefs.append(item.href)
            for key, occurrence in occurrences.items():
                if key in known:
                    event_id = known[key][0]
                    batch.current[event_id] = occurrence
                    self._link(batch, item, key, event_id)
                else:
                    unlinked.append((item, occurrence))
        self._place_new(batch, unlinked)
        return self._write(batch)

    def _read(
        self, item: CalendarObject, known: dict[str, tuple[str, str]]
    ) -> dict[str, Occurrence] | None:
        """The object's occurrences ({} once deleted); None for one unreadable, whose links
        stay as they are."""
        if item.text is None:
            return {}
        try:
            return self.reader(item.text, self.window, known)
        except UnreadableEvent as error:
            log.warning("calendar: %s in channel %s: %s", item.href, self.lease.channel_id, error)
            return None

    def _place_new(self, batch: _Batch, unlinked: list[tuple[CalendarObject, Occurrence]]) -> None:
        """Link the occurrences not linked yet: to the record another calendar made of the
        same one, or to a new record."""
        stored = self._stored_keys(sorted({occurrence.digest for _, occurrence in unlinked}))
        for item, occurrence in unlinked:
            event_id = stored.get(occurrence.digest)
            if event_id is None:
                event_id = stored[occurrence.digest] = new_id()
                batch.created[event_id] = occurrence
                batch.keys.append(
                    {
                        "workspace_id": self.workspace_id,
                        "digest": occurrence.digest,
                        "event_id": event_id,
                    }
                )
            elif event_id not in batch.created:
                batch.current[event_id] = occurrence
            self._link(batch, item, occurrence.key, event_id)

    def _link(self, batch: _Batch, item: CalendarObject, key: str, event_id: str) -> None:
        batch.links.append(
            {
                "channel_id": self.lease.channel_id,
                "href": item.href,
                "occurrence": key,
                "etag": item.etag,
                "workspace_id": self.workspace_id,
                "event_id": event_id,
            }
        )

    def _write(self, batch: _Batch) -> Imported:
        event = self.specs["calendarEvent"]
        if batch.created:
            self.store.create_many(
                event, [{"id": i, **o.as_record()} for i, o in batch.created.items()]
            )
        records = {r["id"]: r for r in self.store.matching(event, "id", list(batch.current))}
        # A record a user deleted stays deleted: its links stay, and nothing writes to it.
        batch.current = {i: o for i, o in batch.current.items() if i in records}
        updated = 0
        for event_id, occurrence in batch.current.items():
            wanted = occurrence.as_record()
            if _differs(records[event_id], wanted):
                self.store.update(event, event_id, wanted)
                updated += 1
        self._write_participants(batch)
        if batch.keys:
            # Inputs: the new occurrences' digests and records. Answer: none (rows added).
            self.session.execute(KEYS.insert(), batch.keys)
        # The objects read here get their links anew: dropped occurrences lose theirs.
        forget_links(self.session, self.lease.channel_id, batch.hrefs)
        if batch.links:
            # Inputs: where each occurrence is held (href, key, etag). Answer: none.
            self.session.execute(LINKS.insert(), batch.links)
        return Imported(created=len(batch.created), updated=updated)

    def _write_participants(self, batch: _Batch) -> None:
        """Participants of new events, and new participants of events whose own changed."""
        spec = self.specs["calendarEventParticipant"]
        every = {**batch.created, **batch.current}
        handles = sorted({p.handle for o in every.values() for p in o.participants})
        correspondents = Correspondents(self.session, self.store, self.workspace_id)
        people, members = correspondents.people(handles), correspondents.members()
        wanted = {
            event_id: [
                {
                    **p.as_record(),
                    "personId": people.get(p.handle),
                    "workspaceMemberId": members.get(p.handle),
                }
                for p in occurrence.participants
            ]
            for event_id, occurrence in every.items()
        }
        current = _grouped(self.store.matching(spec, "calendarEventId", list(batch.current)))
        stale = []
        for event_id in batch.current:
            had = current.get(event_id, [])
            if _participant_set(had) == _participant_set(wanted[event_id]):
                wanted[event_id] = []
            else:
                stale += [record["id"] for record in had]
        for start in range(0, len(stale), LOOKUP_CHUNK):
            chunk = stale[start : start + LOOKUP_CHUNK]
            self.store.destroy_many(spec, Condition("id", Comparator.IN, chunk))
        created = [
            {**values, "calendarEventId": event_id}
            for event_id, items in wanted.items()
            for values in items
        ]
        if created:
            self.store.create_many(spec, created)

    def _links(self, hrefs: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
        """For each href of this channel: (event id, etag) by occurrence key."""
        found: dict[str, dict[str, tuple[str, str]]] = {}
        for start in range(0, len(hrefs), LOOKUP_CHUNK):
            # Inputs: the channel, some hrefs. Answer: the links those objects have.
            query = sa.select(
                LINKS.c.href, LINKS.c.occurrence, LINKS.c.event_id, LINKS.c.etag
            ).where(
                LINKS.c.channel_id == self.lease.channel_id,
                LINKS.c.href.in_(hrefs[start : start + LOOKUP_CHUNK]),
            )
            for row in self.session.execute(query):
                found.setdefault(row.href, {})[row.occurrence] = (row.event_id, row.etag)
        return found

    def _stored_keys(self, digests: list[str]) -> dict[str, str]:
        """Event record id by key digest, for occurrences the workspace has imported."""
        found: dict[str, str] = {}
        for start in range(0, len(digests), LOOKUP_CHUNK):
            # Inputs: the workspace, some digests. Answer: the records they name.
            query = sa.select(KEYS.c.digest, KEYS.c.event_id).where(
                KEYS.c.workspace_id == self.workspace_id,
                KEYS.c.digest.in_(digests[start : start + LOOKUP_CHUNK]),
            )
            found.update((row.digest, row.event_id) for row in self.session.execute(query))
        return found


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Whether ``wanted`` changes ``current`` (a composite compared by the parts it sets)."""
    for key, value in wanted.items():
        have = current.get(key)
        if isinstance(value, dict):
            have = have or {}
            if any(have.get(part) != part_value for part, part_value in value.items()):
                return True
        elif have != value:
            return True
    return False


def _participant_set(records: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(str(record.get(name)) for name in _PARTICIPANT_FIELDS) for record in records
    )


def _grouped(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    by_event: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_event.setdefault(record["calendarEventId"], []).append(record)
    return by_event


class CalendarChannelSync(ChannelSync[ClientT]):
    """A calendar channel's sync: it writes as the calendar (CALENDAR), the occurrences
    within ``window`` (``first_import_days`` either side of now)."""

    actor_source = "CALENDAR"

    @cached_property
    def window(self) -> tuple[datetime, datetime]:
        now, reach = utcnow(), timedelta(days=self.settings.first_import_days)
        return now - reach, now + reach
