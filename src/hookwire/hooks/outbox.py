"""The outbox: every record change becomes an event row in the writing transaction."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from hookwire.crm.records import RecordChange
from hookwire.database import after_commit
from hookwire.models import OutboxEvent, new_id, utcnow

EVENTS = OutboxEvent.__table__


class Outbox:
    """A ``ChangeSink``: adds one event per change, then wakes the relay after the commit."""

    def __init__(self, on_commit: Callable[[], None] | None = None) -> None:
        self._on_commit = on_commit

    def record_changes(self, session: Session, changes: list[RecordChange]) -> None:
        # A plain multi-row INSERT: the unit of work would cost more than the event is worth.
        rows = [
            {
                "id": new_id(),
                "workspace_id": change.spec.workspace_id,
                "event_name": f"{change.spec.name_singular}.{change.action}",
                "object_metadata_id": change.spec.id,
                "record_id": change.record["id"],
                "payload": _payload(change),
                "relayed": False,
                "created_at": utcnow(),  # one per event: the relay orders by it
            }
            for change in changes
        ]
        session.execute(EVENTS.insert(), rows)
        if self._on_commit is not None:
            after_commit(session, self._on_commit)


def _payload(change: RecordChange) -> dict:
    payload = {"nameSingular": change.spec.name_singular, "record": change.record}
    if change.updated_fields is not None:
        payload["updatedFields"] = change.updated_fields
    return payload
