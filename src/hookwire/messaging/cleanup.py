"""Deleting what no mailbox holds any more: a message whose last place is gone (deleted on
the server, or its account disconnected), its participants, and a thread left empty.
Messages that another connected mailbox still holds stay."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from hookwire.crm import Comparator, Condition, RecordStore
from hookwire.models import MailboxMessage, MessageKey

PLACES = MailboxMessage.__table__
KEYS = MessageKey.__table__
CHUNK = 200  # ids in one IN list


@dataclass(frozen=True)
class Removed:
    messages: int = 0
    threads: int = 0


def forget_places(
    session: Session, channel_id: str, folder: str, uids: Iterable[int] | None
) -> None:
    """Drop where ``folder`` held messages: the given UIDs, or all of them."""
    statement = PLACES.delete().where(PLACES.c.channel_id == channel_id, PLACES.c.folder == folder)
    if uids is not None:
        wanted = sorted(uids)
        for start in range(0, len(wanted), CHUNK):
            session.execute(statement.where(PLACES.c.uid.in_(wanted[start : start + CHUNK])))
    else:
        session.execute(statement)


def remove_orphan_messages(session: Session, store: RecordStore, workspace_id: str) -> Removed:
    """Destroy every imported message of the workspace that no mailbox holds, with its
    participants, and every thread with no message left."""
    # Inputs: the workspace. Answer: its imported messages that no mailbox_message row names.
    orphans = session.execute(
        sa.select(KEYS.c.message_id, KEYS.c.thread_id).where(
            KEYS.c.workspace_id == workspace_id,
            KEYS.c.message_id.is_not(None),
            ~sa.exists().where(PLACES.c.message_id == KEYS.c.message_id),
        )
    ).all()
    if not orphans:
        return Removed()
    message_ids = sorted({row.message_id for row in orphans})
    _destroy(store, "messageParticipant", "messageId", message_ids)
    _destroy(store, "message", "id", message_ids)
    for start in range(0, len(message_ids), CHUNK):
        session.execute(
            KEYS.update()
            .where(
                KEYS.c.workspace_id == workspace_id,
                KEYS.c.message_id.in_(message_ids[start : start + CHUNK]),
            )
            .values(message_id=None)
        )
    threads = sorted({row.thread_id for row in orphans})
    # Inputs: the threads of the orphans. Answer: those where a message remains.
    kept = set()
    for start in range(0, len(threads), CHUNK):
        kept |= set(
            session.execute(
                sa.select(KEYS.c.thread_id).where(
                    KEYS.c.workspace_id == workspace_id,
                    KEYS.c.thread_id.in_(threads[start : start + CHUNK]),
                    KEYS.c.message_id.is_not(None),
                )
            ).scalars()
        )
    empty = [thread for thread in threads if thread not in kept]
    _destroy(store, "messageThread", "id", empty)
    for start in range(0, len(empty), CHUNK):
        session.execute(
            KEYS.delete().where(
                KEYS.c.workspace_id == workspace_id,
                KEYS.c.thread_id.in_(empty[start : start + CHUNK]),
            )
        )
    return Removed(messages=len(message_ids), threads=len(empty))


def _destroy(store: RecordStore, object_name: str, field: str, ids: list[str]) -> None:
    """Destroy the records of ``object_name`` whose ``field`` is one of ``ids``."""
    spec = store.catalog.object_by_singular(object_name)
    if spec is None:  # the workspace has not got this object (any more)
        return
    for start in range(0, len(ids), CHUNK):
        store.destroy_all(spec, Condition(field, Comparator.IN, ids[start : start + CHUNK]))
