"""Writing a mailbox's messages into the CRM: threads, messages, participants matched to
people (created, per the channel's policy), and where the mailbox holds each.

A message is one record per workspace, whichever mailboxes and folders hold it (found by its
Message-ID); each place that holds it is a ``mailbox_message`` row. Everything goes through
the records store, so every record written is an event for the webhooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlmodel import Session

from hookwire.connected_accounts import ChannelSync, ClientT, Correspondents
from hookwire.crm import RecordStore
from hookwire.messaging.parsing import ParsedMessage, Participant, key_digest, thread_subject
from hookwire.models import MailboxMessage, MessageKey, new_id

PLACES = MailboxMessage.__table__
KEYS = MessageKey.__table__
LOOKUP_CHUNK = 200  # values in one IN list


class MailPlace(NamedTuple):
    """Where a mailbox holds a message: an IMAP folder and UID (under the folder's
    UIDVALIDITY); for an API mailbox (Gmail, Microsoft), the provider's message id as the
    folder, and UID 0."""

    folder: str
    uid: int = 0
    uidvalidity: int = 0


class ImportingChannel(Protocol):
    """The channel whose messages are written (a ``ChannelLease`` is one): where they are
    held, whose mailbox it is, and how it imports (``channel_settings``)."""

    @property
    def channel_id(self) -> str: ...
    @property
    def workspace_id(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def settings(self) -> Mapping[str, Any]: ...


@dataclass
class _Key:
    thread_id: str
    message_id: str | None
    stored: bool  # a row exists (else it is inserted)
    changed: bool = False  # its message_id was set here


@dataclass
class _Batch:
    """The records one batch creates, in the order they must be written."""

    threads: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    participants: list[tuple[str, Participant]] = field(default_factory=list)  # (message id, …)
    places: list[dict[str, Any]] = field(default_factory=list)


class MessageImporter:
    """Writes the messages of one channel's mailbox through ``store``.

    Arguments:
        session: the batch's transaction.
        store: the workspace's records store (its actor is the mailbox).
        channel: the channel whose messages these are.
    """

    def __init__(self, session: Session, store: RecordStore, channel: ImportingChannel) -> None:
        self.session = session
        self.store = store
        self.channel = channel
        self.workspace_id = channel.workspace_id
        self.policy = channel.settings["contactAutoCreationPolicy"]
        self.blocklist = frozenset(channel.settings["blocklist"])
        self.specs = {name: store.catalog.object_by_singular(name) for name in _OBJECTS}
        self.correspondents = Correspondents(session, store, channel.workspace_id)

    def import_messages(self, fetched: Sequence[tuple[MailPlace, ParsedMessage]]) -> int:
        """Write what ``fetched`` adds; how many message records it created. Places already
        recorded are skipped, so a batch run twice adds nothing."""
        held = self._held([place for place, _ in fetched])
        wanted = [
            (place, message)
            for place, message in fetched
            if (place.folder, place.uid) not in held and not self._blocked(message)
        ]
        if not wanted:
            return 0
        keys = self._keys(m for _, m in wanted)
        batch = _Batch()
        for place, message in wanted:
            message_id = self._place(message, keys, batch)
            batch.places.append(
                {
                    "channel_id": self.channel.channel_id,
                    "folder": place.folder,
                    "uid": place.uid,
                    "uidvalidity": place.uidvalidity,
                    "workspace_id": self.workspace_id,
                    "message_id": message_id,
                }
            )
        self._write(batch, keys)
        return len(batch.messages)

    def _place(self, message: ParsedMessage, keys: dict[str, _Key], batch: _Batch) -> str:
        """The record id of ``message``: the one it has, or a new one (and its thread)."""
        own = keys.get(key_digest(message.header_message_id))
        if own is not None and own.message_id is not None:
            return own.message_id  # imported already, from another folder or mailbox
        related = [keys[d] for d in map(key_digest, message.related_ids) if d in keys]
        thread_id = own.thread_id if own else next((k.thread_id for k in related), None)
        if thread_id is None:
            thread_id = new_id()
            batch.threads.append({"id": thread_id, "subject": thread_subject(message.subject)})
        message_id = new_id()
        batch.messages.append(
            {
                "id": message_id,
                "headerMessageId": message.header_message_id,
                "subject": message.subject,
                "text": message.text,
                "receivedAt": message.received_at.isoformat(),
                "direction": "OUTGOING" if message.sender == self.channel.handle else "INCOMING",
                "messageThreadId": thread_id,
            }
        )
        batch.participants += [(message_id, p) for p in message.participants]
        digest = key_digest(message.header_message_id)
        if own is None:
            keys[digest] = _Key(thread_id, message_id, stored=False)
        else:
            own.message_id, own.changed = message_id, True
        for related_id in message.related_ids:
            keys.setdefault(key_digest(related_id), _Key(thread_id, None, stored=False))
        return message_id

    def _write(self, batch: _Batch, keys: dict[str, _Key]) -> None:
        specs = self.specs
        if batch.threads:
            self.store.create_many(specs["messageThread"], batch.threads)
        people = self._people(batch.participants, batch.messages)
        if batch.messages:
            self.store.create_many(specs["message"], batch.messages)
        members = self.correspondents.members()
        participants = [
            {
                "messageId": message_id,
                "role": p.role,
                "handle": p.handle,
                "displayName": p.display_name,
                "personId": people.get(p.handle),
                "workspaceMemberId": members.get(p.handle),
            }
            for message_id, p in batch.participants
        ]
        if participants:
            self.store.create_many(specs["messageParticipant"], participants)
        inserted = [
            {"workspace_id": self.workspace_id, "digest": digest, **_key_values(key)}
            for digest, key in keys.items()
            if not key.stored
        ]
        if inserted:
            self.session.execute(KEYS.insert(), inserted)
        for digest, key in keys.items():
            if key.stored and key.changed:
                self.session.execute(
                    KEYS.update()
                    .where(KEYS.c.workspace_id == self.workspace_id, KEYS.c.digest == digest)
                    .values(message_id=key.message_id)
                )
        self.session.execute(PLACES.insert(), batch.places)

    def _people(
        self, participants: list[tuple[str, Participant]], messages: list[dict[str, Any]]
    ) -> dict[str, str]:
        """Person id by address: the people the CRM has, and those the policy creates."""
        handles = sorted({p.handle for _, p in participants})
        found = self.correspondents.people(handles)
        wanted = self._to_create(participants, messages, found)
        if wanted:
            created = [
                {"id": new_id(), "name": _name(handle, name), "emails": {"primaryEmail": handle}}
                for handle, name in sorted(wanted.items())
            ]
            self.store.create_many(self.specs["person"], created)
            found.update((item["emails"]["primaryEmail"], item["id"]) for item in created)
        return found

    def _to_create(
        self,
        participants: list[tuple[str, Participant]],
        messages: list[dict[str, Any]],
        found: dict[str, str],
    ) -> dict[str, str]:
        """Address -> display name of the people the policy adds: every correspondent
        (FROM_AND_TO), or those this mailbox wrote to (SENT)."""
        if self.policy == "NONE":
            return {}
        sent = {m["id"] for m in messages if m["direction"] == "OUTGOING"}
        if self.policy == "SENT":
            chosen = [p for m, p in participants if p.role != "FROM" and m in sent]
        else:
            chosen = [p for _, p in participants]
        known = found.keys() | self.correspondents.members().keys() | {self.channel.handle}
        wanted: dict[str, str] = {}
        for p in chosen:
            if p.handle not in known:
                wanted.setdefault(p.handle, p.display_name)
        return wanted

    def _held(self, places: list[MailPlace]) -> set[tuple[str, int]]:
        """(folder, uid) of those of ``places`` the channel already holds."""
        folders = sorted({place.folder for place in places})
        uids = sorted({place.uid for place in places})
        # Inputs: the channel, the folders and UIDs asked about. Answer: the rows among them
        # (a superset of the pairs asked, narrowed below).
        query = sa.select(PLACES.c.folder, PLACES.c.uid).where(
            PLACES.c.channel_id == self.channel.channel_id,
            PLACES.c.folder.in_(folders),
            PLACES.c.uid.in_(uids),
        )
        asked = {(place.folder, place.uid) for place in places}
        return {(row.folder, row.uid) for row in self.session.execute(query)} & asked

    def _keys(self, messages: Iterable[ParsedMessage]) -> dict[str, _Key]:
        """The stored keys of these messages' own and related Message-IDs."""
        digests = sorted(
            {key_digest(i) for m in messages for i in (m.header_message_id, *m.related_ids)}
        )
        keys: dict[str, _Key] = {}
        for start in range(0, len(digests), LOOKUP_CHUNK):
            query = sa.select(KEYS.c.digest, KEYS.c.thread_id, KEYS.c.message_id).where(
                KEYS.c.workspace_id == self.workspace_id,
                KEYS.c.digest.in_(digests[start : start + LOOKUP_CHUNK]),
            )
            for row in self.session.execute(query):
                keys[row.digest] = _Key(row.thread_id, row.message_id, stored=True)
        return keys

    def _blocked(self, message: ParsedMessage) -> bool:
        """Whether a correspondent of ``message`` is on the blocklist (an address, or a
        domain as ``@example.com``)."""
        for participant in message.participants:
            if participant.handle == self.channel.handle:
                continue
            domain = "@" + participant.handle.rsplit("@", 1)[-1]
            if participant.handle in self.blocklist or domain in self.blocklist:
                return True
        return False


_OBJECTS = ("messageThread", "message", "messageParticipant", "person")


def _key_values(key: _Key) -> dict[str, Any]:
    return {"thread_id": key.thread_id, "message_id": key.message_id}


def _name(handle: str, display_name: str) -> dict[str, str]:
    """A new person's name: the display name, or the address's local part."""
    words = (display_name or handle.split("@", 1)[0].replace(".", " ")).split()
    words = [w if display_name else w.capitalize() for w in words] or [handle]
    return {"firstName": words[0], "lastName": " ".join(words[1:])}


class MailChannelSync(ChannelSync[ClientT]):
    """A mailbox's sync: what it writes, it writes as the mailbox (EMAIL)."""

    actor_source = "EMAIL"

    @property
    def folders(self) -> dict[str, dict[str, Any]]:
        """Where each folder's sync stands, in the cursor (for mailboxes that have them)."""
        folders: dict[str, dict[str, Any]] = self.cursor.setdefault("folders", {})
        return folders
