"""What a calendar object says: an iCalendar text read into the occurrences its records keep.

A recurring event is expanded (``recurring_ical_events``) into one occurrence per start; each
is keyed by its RECURRENCE-ID (its original start) in UTC, a single event by "". An
occurrence moved on its own (an override with a RECURRENCE-ID) keeps its key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from hookwire.crm import iso_timestamp

MAX_TEXT = 100_000  # characters of description an event record keeps
MAX_TITLE = 1_000
# PARTSTAT (RFC 5545) -> responseStatus; DELEGATED and others read as not answered yet.
RESPONSES = {"ACCEPTED": "ACCEPTED", "DECLINED": "DECLINED", "TENTATIVE": "TENTATIVE"}
NOT_ANSWERED = "NEEDS_ACTION"
_RECURRING = ("RRULE", "RDATE", "RECURRENCE-ID")


@dataclass(frozen=True)
class Participant:
    handle: str  # the address, lower case
    display_name: str
    is_organizer: bool
    response_status: str  # NEEDS_ACTION, DECLINED, TENTATIVE, ACCEPTED

    def as_record(self) -> dict[str, Any]:
        return {
            "handle": self.handle,
            "displayName": self.display_name,
            "isOrganizer": self.is_organizer,
            "responseStatus": self.response_status,
        }


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of an event, as its record keeps it."""

    uid: str
    key: str  # its start (RECURRENCE-ID) in UTC, "" for a single event
    title: str
    starts_at: datetime
    ends_at: datetime
    is_full_day: bool
    is_canceled: bool
    description: str
    location: str
    conference_url: str
    participants: tuple[Participant, ...]

    @property
    def digest(self) -> str:
        return key_digest(self.uid, self.key)

    def as_record(self) -> dict[str, Any]:
        """The calendarEvent fields, in the form the records store keeps them."""
        return {
            "title": self.title,
            "isCanceled": self.is_canceled,
            "isFullDay": self.is_full_day,
            "startsAt": iso_timestamp(self.starts_at),
            "endsAt": iso_timestamp(self.ends_at),
            "description": self.description,
            "location": self.location,
            "iCalUID": self.uid,
            "conferenceLink": {"primaryLinkUrl": self.conference_url, "primaryLinkLabel": ""},
        }


class UnreadableEvent(ValueError):
    """A calendar object that is not iCalendar this reader understands."""


def read_occurrences(
    text: str, window: tuple[datetime, datetime], known: Iterable[str] = ()
) -> dict[str, Occurrence]:
    """The occurrences of the object ``text`` by key: those within ``window`` (start, end),
    and those already ``known`` (keys imported before) wherever they fall, so an occurrence
    that drifted out of the window is not taken for one that is gone."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise UnreadableEvent(f"calendar data: {error}") from None
    known = set(known)
    start, end = window
    earliest = min((_from_key(key) for key in known if key), default=start)
    recurring = {
        str(event.get("UID", ""))
        for event in calendar.walk("VEVENT")
        if any(name in event for name in _RECURRING)
    }
    found: dict[str, Occurrence] = {}
    try:
        expanded = list(recurring_ical_events.of(calendar).between(min(earliest, start), end))
    except (ValueError, TypeError) as error:  # a broken RRULE or date
        raise UnreadableEvent(f"calendar data: {error}") from None
    for event in expanded:
        occurrence = _occurrence(event, str(event.get("UID", "")) in recurring)
        if occurrence is None or occurrence.key in found:
            continue
        inside = occurrence.starts_at < end and (
            occurrence.ends_at > start or occurrence.starts_at >= start
        )
        if inside or occurrence.key in known:
            found[occurrence.key] = occurrence
    return found


def key_digest(uid: str, occurrence: str) -> str:
    """The stored key of an event occurrence (fixed length, whatever the UID's)."""
    return hashlib.sha256(f"{uid}\n{occurrence}".encode()).hexdigest()


def occurrence_key(value: date | datetime) -> str:
    """An occurrence's start as its key: ``2024-01-31T09:00:00Z``, or ``2024-01-31`` for a
    whole day."""
    if not isinstance(value, datetime):
        return value.isoformat()
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def _from_key(key: str) -> datetime:
    return _utc(datetime.fromisoformat(key.replace("Z", "+00:00")))


def _occurrence(event: Any, recurring: bool) -> Occurrence | None:
    uid = str(event.get("UID", "")).strip()
    if not uid or "DTSTART" not in event:
        return None
    begins = event["DTSTART"].dt
    full_day = not isinstance(begins, datetime)
    ends = _end(event, begins)
    key = ""
    if recurring:
        recurrence_id = event.get("RECURRENCE-ID")
        key = occurrence_key(recurrence_id.dt if recurrence_id is not None else begins)
    conference = event.get("URL") or event.get("X-GOOGLE-CONFERENCE") or ""
    return Occurrence(
        uid=uid,
        key=key,
        title=_text(event.get("SUMMARY"))[:MAX_TITLE],
        starts_at=_utc(begins),
        ends_at=_utc(ends),
        is_full_day=full_day,
        is_canceled=_text(event.get("STATUS")).upper() == "CANCELLED",
        description=_text(event.get("DESCRIPTION"))[:MAX_TEXT],
        location=_text(event.get("LOCATION")),
        conference_url=_text(conference),
        participants=_participants(event),
    )


def _end(event: Any, begins: date | datetime) -> date | datetime:
    if "DTEND" in event:
        return event["DTEND"].dt
    if "DURATION" in event:
        return begins + event["DURATION"].dt
    # RFC 5545: without either, a whole-day event lasts the day, a timed one no time.
    return begins + timedelta(days=1) if not isinstance(begins, datetime) else begins


def _participants(event: Any) -> tuple[Participant, ...]:
    """ORGANIZER and ATTENDEEs, one per address: an organizer who also attends is one
    participant, organizer and with the answer its ATTENDEE line gives."""
    by_handle: dict[str, Participant] = {}
    organizer = event.get("ORGANIZER")
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    lines = [(organizer, True)] if organizer is not None else []
    lines += [(attendee, False) for attendee in attendees]
    for address, is_organizer in lines:
        handle = _address(address)
        if handle is None:
            continue
        params = getattr(address, "params", {})
        status = RESPONSES.get(str(params.get("PARTSTAT", "")).upper(), NOT_ANSWERED)
        seen = by_handle.get(handle)
        if seen is None:
            by_handle[handle] = Participant(handle, _text(params.get("CN")), is_organizer, status)
        else:
            by_handle[handle] = Participant(
                handle,
                seen.display_name or _text(params.get("CN")),
                seen.is_organizer or is_organizer,
                status if not is_organizer else seen.response_status,
            )
    return tuple(by_handle.values())


def _address(value: object) -> str | None:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.lower() if "@" in text else None


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):  # a whole day: from its midnight, in UTC
        return datetime.combine(value, time(), tzinfo=UTC)
    if value.tzinfo is None:  # floating time: read as UTC, as no zone says otherwise
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
