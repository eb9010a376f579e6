"""A Google calendar's sync, through the Calendar API: the same importer and cleanup as
CalDAV.

Google expands recurring events itself (``singleEvents=true``): each occurrence is an event
of its own, linked by ``primary/<event id>`` with Google's etag, and keyed as CalDAV's are (its
iCalUID, and its original start when it belongs to a series), so the same occurrence met in
another calendar is one record. First import: every occurrence within ``first_import_days``
either side of now; then incremental, by the sync token the listing ended with (410 Gone
means a full listing again, whose missing events are let go). A cancelled event drops its
link, and what no calendar holds is destroyed. Each batch commits its records, its links and
the cursor together; the new sync token is stored once every batch before it is in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from hookwire.calendar.cleanup import forget_links, linked_etags, remove_orphan_events
from hookwire.calendar.collection import CalendarObject
from hookwire.calendar.events import (
    MAX_TEXT,
    MAX_TITLE,
    NOT_ANSWERED,
    Occurrence,
    Participant,
    UnreadableEvent,
    occurrence_key,
)
from hookwire.calendar.importer import CalendarChannelSync, EventImporter
from hookwire.config import Config
from hookwire.connected_accounts import ChannelLease, GoogleApi
from hookwire.crm import ChangeSink
from hookwire.database import transaction

if TYPE_CHECKING:
    from hookwire.calendar.sync import CalendarSyncReport

CALENDAR = "primary"
# Google's responseStatus -> responseStatus; needsAction and anything else: not answered.
RESPONSES = {"accepted": "ACCEPTED", "declined": "DECLINED", "tentative": "TENTATIVE"}
PAGE_SIZE = 250


def sync_google_calendar(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: CalendarSyncReport,
) -> None:
    """The sync of a Google account's primary calendar; a failure of Google is
    ServiceUnreachable."""
    api = GoogleApi(engine, config, lease, "calendar")
    _GoogleCalendarSync(engine, config, lease, api, sink, report).run()


class _GoogleCalendarSync(CalendarChannelSync[GoogleApi]):
    def run(self) -> None:
        self.report.calendars = [CALENDAR]
        token = self.cursor.get("syncToken")
        if token is None or not self._sync({"syncToken": token}, complete=False):
            start, end = self.window
            window = {"timeMin": _rfc3339(start), "timeMax": _rfc3339(end)}
            self._sync(window, complete=True)

    def _sync(self, params: dict[str, str], complete: bool) -> bool:
        """Import the listing ``params`` asks for, page by page, in batches; then (for a
        ``complete`` listing) drop the links of events it no longer has, destroy what no
        calendar holds, and store the sync token. False when Google has forgotten the
        sync token (410)."""
        listed: set[str] = set()
        sync_token = None
        for page in self._pages(params):
            if page is None:
                return False
            items = page.get("items", [])
            listed.update(_href(item) for item in items)
            batch = self.settings.sync_batch
            for start in range(0, len(items), batch):
                self._import(items[start : start + batch])
            sync_token = page.get("nextSyncToken", sync_token)
        with transaction(self.engine) as session:
            if complete:
                held = linked_etags(session, self.lease.channel_id, CALENDAR)
                forget_links(session, self.lease.channel_id, set(held) - listed)
            store = self.store(session)
            self.report.removed += remove_orphan_events(session, store, self.lease.workspace_id)
            self.cursor = {"syncToken": sync_token} if sync_token else {}
            self.checkpoint(session)
        return True

    def _import(self, items: list[dict[str, Any]]) -> None:
        objects = [
            CalendarObject(
                _href(item),
                str(item.get("etag", "")),
                None if item.get("status") == "cancelled" else json.dumps(item),
            )
            for item in items
        ]
        with transaction(self.engine) as session:
            importer = EventImporter(
                session, self.store(session), self.lease, self.window, read_google_object
            )
            done = importer.import_batch(objects)
            self.report.imported += done.created
            self.report.updated += done.updated
            self.checkpoint(session)

    def _pages(self, params: dict[str, str]) -> Iterator[Any]:
        """Each page of the listing (None once the sync token is Gone), following
        ``nextPageToken``."""
        page_token = None
        while True:
            page = self.client.get(
                f"/calendars/{CALENDAR}/events",
                {
                    **params,
                    "singleEvents": "true",
                    "maxResults": PAGE_SIZE,
                    **({"pageToken": page_token} if page_token else {}),
                },
                missing=(410,),
            )
            yield page
            page_token = page.get("nextPageToken") if page else None
            if not page_token:
                return


def read_google_object(
    text: str, window: tuple[datetime, datetime], known: Iterable[str]
) -> dict[str, Occurrence]:
    """The occurrence a Calendar API event's JSON is, if it falls in ``window`` (or was
    imported before)."""
    try:
        occurrence = read_google_event(json.loads(text))
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableEvent(f"Calendar API event: {error}") from None
    start, end = window
    inside = occurrence.starts_at < end and occurrence.ends_at > start
    return {occurrence.key: occurrence} if inside or occurrence.key in set(known) else {}


def read_google_event(event: dict[str, Any]) -> Occurrence:
    """The occurrence a Calendar API event (of ``singleEvents``) is."""
    original = event.get("originalStartTime")
    key = occurrence_key(_when(original)) if event.get("recurringEventId") and original else ""
    begins = _when(event["start"])
    full_day = not isinstance(begins, datetime)
    return Occurrence(
        uid=str(event.get("iCalUID") or event["id"]),
        key=key,
        title=str(event.get("summary", "")).strip()[:MAX_TITLE],
        starts_at=_utc(begins),
        ends_at=_utc(_when(event.get("end") or event["start"])),
        is_full_day=full_day,
        is_canceled=False,  # a cancelled event is let go (its link dropped), never read
        description=str(event.get("description", "")).strip()[:MAX_TEXT],
        location=str(event.get("location", "")).strip(),
        conference_url=_conference(event),
        participants=_participants(event),
    )


def _when(moment: dict[str, Any]) -> date | datetime:
    """A start or end: ``dateTime`` (RFC 3339), or ``date`` for a whole day."""
    if moment.get("dateTime"):
        return datetime.fromisoformat(moment["dateTime"])
    return date.fromisoformat(moment["date"])


def _utc(value: date | datetime) -> datetime:
    if not isinstance(value, datetime):  # a whole day: from its midnight, in UTC
        return datetime.combine(value, time(), tzinfo=UTC)
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _conference(event: dict[str, Any]) -> str:
    """The video link: the conference's video entry point, or the Meet link."""
    entry_points: Sequence[dict[str, Any]] = (event.get("conferenceData") or {}).get(
        "entryPoints", []
    )
    video = next((p.get("uri") for p in entry_points if p.get("entryPointType") == "video"), None)
    return str(video or event.get("hangoutLink") or "")


def _participants(event: dict[str, Any]) -> tuple[Participant, ...]:
    """The attendees, and the organizer when not among them, one per address."""
    by_handle: dict[str, Participant] = {}
    for attendee in event.get("attendees", []):
        handle = str(attendee.get("email", "")).strip().lower()
        if "@" not in handle or handle in by_handle:
            continue
        by_handle[handle] = Participant(
            handle,
            str(attendee.get("displayName", "")).strip(),
            bool(attendee.get("organizer")),
            RESPONSES.get(str(attendee.get("responseStatus", "")), NOT_ANSWERED),
        )
    organizer = event.get("organizer") or {}
    handle = str(organizer.get("email", "")).strip().lower()
    if "@" in handle and handle not in by_handle:
        name = str(organizer.get("displayName", "")).strip()
        by_handle[handle] = Participant(handle, name, True, NOT_ANSWERED)
    return tuple(by_handle.values())


def _href(event: dict[str, Any]) -> str:
    return f"{CALENDAR}/{event['id']}"


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
