"""Calendar sync: the events of connected CalDAV calendars imported into calendar event and
participant records, one per occurrence, and deleted again when no calendar holds them.

``collection`` reads calendars over CalDAV, ``events`` reads an event, ``importer`` writes
one batch, ``cleanup`` destroys what no calendar holds, and ``sync`` runs a channel's sync.
"""

from hookwire.calendar.cleanup import remove_orphan_events
from hookwire.calendar.sync import CalendarSyncReport, sync_calendar

__all__ = ["CalendarSyncReport", "remove_orphan_events", "sync_calendar"]
