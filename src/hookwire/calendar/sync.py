"""A calendar channel's sync: import what changed in each calendar, then let go of what left.

First import: every event occurrence within ``first_import_days`` either side of now, a
recurring event expanded into one record per occurrence. Then incremental: each calendar is
asked what changed since its sync token (one request, empty when nothing did; the ctag and
etags on a server without tokens); the changed objects are fetched in batches and diffed
against their links. A batch commits its records, its links and the cursor together, so a
sync killed midway resumes where it stopped, and a batch run twice writes nothing twice
(objects whose links carry their etag are skipped). A calendar's new token is stored only
once all its batches are in. Additions to every calendar come before destroying what no
calendar holds, so an event moved between calendars keeps its record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import caldav
from sqlalchemy.engine import Engine

from hookwire.calendar.cleanup import forget_links, linked_etags, remove_orphan_events
from hookwire.calendar.collection import Listing, fetch_objects, list_changes, object_href
from hookwire.calendar.google_calendar import sync_google_calendar
from hookwire.calendar.importer import CalendarChannelSync, EventImporter
from hookwire.calendar.outlook_calendar import sync_outlook_calendar
from hookwire.config import Config
from hookwire.connected_accounts import (
    IMAP_SMTP_CALDAV,
    ChannelLease,
    ChannelSource,
    caldav_connection,
    run_channel_sync,
)
from hookwire.crm import ChangeSink
from hookwire.database import transaction

log = logging.getLogger(__name__)


@dataclass
class CalendarSyncReport:
    """What one sync did (event records); ``failure`` says why it stopped early, if it did."""

    imported: int = 0
    updated: int = 0
    removed: int = 0
    calendars_skipped: int = 0
    failure: str | None = None
    calendars: list[str] = field(default_factory=list)


def sync_calendar(
    engine: Engine, config: Config, channel_id: str, sink: ChangeSink | None
) -> CalendarSyncReport | None:
    """Run one sync of the calendar channel; None when another sync holds it (or it is
    gone, or waits for new credentials)."""
    return run_channel_sync(
        engine, config, channel_id, sink, CalendarSyncReport(), CALENDAR_SOURCES
    )


def sync_caldav(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: CalendarSyncReport,
) -> None:
    """The sync of a CalDAV account's calendars."""
    assert lease.parameters is not None  # an imap_smtp_caldav lease has its login
    with caldav_connection(lease.parameters, config.accounts) as principal:
        _CalendarSync(engine, config, lease, principal, sink, report).run()


class _CalendarSync(CalendarChannelSync[caldav.Principal]):
    @property
    def calendars(self) -> dict[str, dict[str, Any]]:
        calendars: dict[str, dict[str, Any]] = self.cursor.setdefault("calendars", {})
        return calendars

    def run(self) -> None:
        found = self.client.calendars()
        urls = [str(calendar.url) for calendar in found]
        self.report.calendars = urls
        for calendar, url in zip(found, urls, strict=True):
            listing = list_changes(calendar, self.calendars.get(url, {}))
            if listing is None:
                self.report.calendars_skipped += 1
                continue
            self._import_calendar(calendar, url, listing)
        self._let_go([url for url in self.calendars if url not in urls])

    def _import_calendar(self, calendar: caldav.Calendar, url: str, listing: Listing) -> None:
        """Fetch and write the objects that changed, in batches; then drop the links of
        objects a complete listing no longer has, and store where the calendar stands."""
        with transaction(self.engine, write=False) as session:
            held = linked_etags(session, self.lease.channel_id, object_href(url))
        changed = [
            href for href, etag in listing.etags.items() if etag is None or held.get(href) != {etag}
        ]
        batch = self.settings.sync_batch
        for start in range(0, len(changed), batch):
            objects = fetch_objects(calendar, changed[start : start + batch])
            with transaction(self.engine) as session:
                importer = EventImporter(session, self.store(session), self.lease, self.window)
                done = importer.import_batch(objects)
                self.report.imported += done.created
                self.report.updated += done.updated
                self.checkpoint(session)
        gone = [href for href in held if href not in listing.etags] if listing.complete else []
        with transaction(self.engine) as session:
            forget_links(session, self.lease.channel_id, gone)
            self.calendars[url] = listing.as_cursor()
            self.checkpoint(session)

    def _let_go(self, gone: list[str]) -> None:
        """Drop the links of calendars gone, destroy what no calendar holds, and store the
        cursor, in one transaction."""
        with transaction(self.engine) as session:
            for url in gone:
                held = linked_etags(session, self.lease.channel_id, object_href(url))
                forget_links(session, self.lease.channel_id, held)
                self.calendars.pop(url, None)
            store = self.store(session)
            self.report.removed += remove_orphan_events(session, store, self.lease.workspace_id)
            self.checkpoint(session)


# How each provider's calendars sync.
CALENDAR_SOURCES: dict[str, ChannelSource[CalendarSyncReport]] = {
    IMAP_SMTP_CALDAV: sync_caldav,
    "microsoft": sync_outlook_calendar,
    "google": sync_google_calendar,
}
