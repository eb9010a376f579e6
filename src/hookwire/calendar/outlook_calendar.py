"""A Microsoft calendar's sync, over Microsoft Graph: the account's calendar view within
``first_import_days`` either side of now, read as a delta query (``/me/calendarView/delta``).

Graph answers occurrences already expanded, each with an id of its own: the id is the
object's href, its ``changeKey`` the etag, and each becomes one occurrence (keyed by its
iCalUId and original start) written by the same importer as CalDAV's. A page of the delta
commits its records, its links and the cursor (the next page's link, or the final delta
link) together; a removed event loses its link, and events no calendar holds are destroyed
once the delta is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import closing
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import Engine

from hookwire.calendar.cleanup import remove_orphan_events
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
from hookwire.connected_accounts import ChannelLease, GraphClient, GraphGone
from hookwire.crm import ChangeSink
from hookwire.database import transaction

if TYPE_CHECKING:  # the sync module names this one among its sources
    from hookwire.calendar.sync import CalendarSyncReport

# Graph's status.response -> responseStatus.
RESPONSES = {
    "none": NOT_ANSWERED,
    "notResponded": NOT_ANSWERED,
    "declined": "DECLINED",
    "tentativelyAccepted": "TENTATIVE",
    "accepted": "ACCEPTED",
    "organizer": "ACCEPTED",
}
# Answers in UTC, whatever zone each event was made in.
UTC_PREFERENCE = 'outlook.timezone="UTC"'


def sync_outlook_calendar(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: CalendarSyncReport,
) -> None:
    """The sync of a Microsoft account's calendar; a failure of Graph is ServiceUnreachable."""
    with closing(GraphClient(engine, config, lease)) as graph:
        _OutlookCalendarSync(engine, config, lease, graph, sink, report).run()


def read_graph_event(event: dict[str, Any]) -> Occurrence:
    """The occurrence a Graph event (one instance of a series, or a single event) is."""
    uid = str(event.get("iCalUId") or event.get("id") or "").strip()
    start, end = event.get("start"), event.get("end")
    if not uid or not isinstance(start, dict) or not isinstance(end, dict):
        raise UnreadableEvent("event: expected an id, a start and an end")
    starts_at, ends_at = _moment(start), _moment(end)
    key = ""
    if event.get("type") in ("occurrence", "exception"):
        original = event.get("originalStart")
        key = occurrence_key(_instant(original) if original else starts_at)
    full_day = bool(event.get("isAllDay"))
    if full_day and key:
        key = key[:10]  # a whole day's key is its date, as CalDAV's is
    meeting = event.get("onlineMeeting") or {}
    return Occurrence(
        uid=uid,
        key=key,
        title=str(event.get("subject") or "")[:MAX_TITLE],
        starts_at=starts_at,
        ends_at=ends_at,
        is_full_day=full_day,
        is_canceled=bool(event.get("isCancelled")),
        description=str(event.get("bodyPreview") or "")[:MAX_TEXT],
        location=str((event.get("location") or {}).get("displayName") or ""),
        conference_url=str(meeting.get("joinUrl") or ""),
        participants=_participants(event),
    )


def read_graph_object(
    text: str, window: tuple[datetime, datetime], known: Iterable[str]
) -> dict[str, Occurrence]:
    """The occurrence a Graph event's JSON is (calendarView answers only those in the
    window)."""
    try:
        occurrence = read_graph_event(json.loads(text))
    except ValueError as error:  # UnreadableEvent is one
        raise UnreadableEvent(f"Graph event: {error}") from None
    return {occurrence.key: occurrence}


class _OutlookCalendarSync(CalendarChannelSync[GraphClient]):
    def run(self) -> None:
        self.report.calendars = ["calendarView"]
        try:
            self._read(self.cursor.get("link"))
        except GraphGone:
            self._read(None)  # Graph forgot the delta: list the window again
        with transaction(self.engine) as session:
            store = self.store(session)
            self.report.removed += remove_orphan_events(session, store, self.lease.workspace_id)
            self.checkpoint(session)

    def _read(self, link: str | None) -> None:
        """Follow the delta from ``link`` (from the start when None), one committed batch
        per page."""
        params = None
        if link is None:
            start, end = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in self.window)
            link, params = "/me/calendarView/delta", {"startDateTime": start, "endDateTime": end}
        prefer = f"odata.maxpagesize={self.settings.sync_batch}, {UTC_PREFERENCE}"
        for items, after in self.client.pages(link, params, Prefer=prefer):
            objects = [_object(item) for item in items if item.get("id")]
            with transaction(self.engine) as session:
                store = self.store(session)
                importer = EventImporter(session, store, self.lease, self.window, read_graph_object)
                done = importer.import_batch(objects)
                self.report.imported += done.created
                self.report.updated += done.updated
                self.cursor["link"] = after
                self.checkpoint(session)


def _object(item: dict[str, Any]) -> CalendarObject:
    """A delta item as the importer's calendar object: no text once removed."""
    if "@removed" in item:
        return CalendarObject(item["id"], "", None)
    return CalendarObject(item["id"], str(item.get("changeKey") or ""), json.dumps(item))


def _participants(event: dict[str, Any]) -> tuple[Participant, ...]:
    """The organizer and the attendees, one per address (an organizer who attends is one
    participant, with the organizer's answer)."""
    by_handle: dict[str, Participant] = {}
    organizer = (event.get("organizer") or {}).get("emailAddress") or {}
    lines = [(organizer, True, "organizer")] if organizer.get("address") else []
    for attendee in event.get("attendees") or []:
        response = (attendee.get("status") or {}).get("response") or "none"
        lines.append((attendee.get("emailAddress") or {}, False, response))
    for address, is_organizer, response in lines:
        handle = str(address.get("address") or "").strip().lower()
        if "@" not in handle:
            continue
        name = str(address.get("name") or "").strip()
        status = RESPONSES.get(response, NOT_ANSWERED)
        seen = by_handle.get(handle)
        if seen is None:
            by_handle[handle] = Participant(handle, name, is_organizer, status)
        else:
            by_handle[handle] = Participant(
                handle, seen.display_name or name, True, seen.response_status
            )
    return tuple(by_handle.values())


def _moment(value: dict[str, Any]) -> datetime:
    """A Graph ``dateTimeTimeZone`` in UTC (a zone Python does not know read as UTC)."""
    try:
        moment = datetime.fromisoformat(str(value.get("dateTime", ""))[:26])
    except ValueError:
        raise UnreadableEvent(
            f"event: expected a dateTime, got {value.get('dateTime')!r}"
        ) from None
    zone_name = str(value.get("timeZone") or "UTC")
    try:
        zone = UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def _instant(value: str) -> datetime:
    """An ISO 8601 timestamp with its offset (``originalStart``), in UTC."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UnreadableEvent(f"event: expected an originalStart, got {value!r}") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
