"""A Gmail mailbox's sync, through the Gmail API: the same importer and cleanup as IMAP.

A message's place is its Gmail id (as the folder, UID 0). First import: the mailbox's
history id is noted, then every message of the last ``first_import_days`` days outside spam
and trash is fetched (``format=raw``) and imported in batches. Then incremental: the
mailbox's history since the noted id says which messages came, left, or went to spam or
trash. A history id Gmail no longer knows (404) means a full import again, places already
held skipped. Each batch commits its records, its places and the cursor together; the new
history id is stored only once everything before it is in, so a sync killed midway runs
again from the last one stored and imports nothing twice.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.connected_accounts import ChannelLease, GoogleApi, renew_lease
from hookwire.crm import ChangeSink
from hookwire.database import transaction
from hookwire.messaging.cleanup import forget_places, remove_orphan_messages
from hookwire.messaging.importer import MailChannelSync, MailPlace, MessageImporter
from hookwire.messaging.parsing import ParsedMessage, parse_message
from hookwire.models import MailboxMessage, utcnow

if TYPE_CHECKING:
    from hookwire.messaging.sync import SyncReport

PLACES = MailboxMessage.__table__
LEFT_OUT = frozenset({"SPAM", "TRASH"})  # labels of messages not imported (or let go)
HISTORY_TYPES = ["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
# A history record's lists of changes, each item naming its message (with its labels now).
CHANGES = ("messagesAdded", "messagesDeleted", "labelsAdded", "labelsRemoved")
LOOKUP_CHUNK = 200  # values in one IN list


def sync_gmail(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: SyncReport,
) -> None:
    """The sync of a Gmail mailbox; a failure of Google is ServiceUnreachable."""
    _GmailSync(engine, config, lease, GoogleApi(engine, config, lease, "gmail"), sink, report).run()


class _GmailSync(MailChannelSync[GoogleApi]):
    def run(self) -> None:
        history_id = self.cursor.get("historyId")
        if history_id is not None and self._follow_history(str(history_id)):
            return
        self._full_import()

    def _full_import(self) -> None:
        """Every recent message outside spam and trash; the history id noted before the
        listing (or by an import that was cut short) is where the next sync starts."""
        start = (
            self.cursor.get("fullImportFrom") or self.client.get("/users/me/profile")["historyId"]
        )
        self.cursor = {"fullImportFrom": str(start)}
        since = utcnow() - timedelta(days=self.settings.first_import_days)
        query = f"after:{int(since.timestamp())} -in:spam -in:trash"
        for page in self._pages("/users/me/messages", {"q": query}):
            self._import([item["id"] for item in page.get("messages", [])])
        self._store_cursor({"historyId": str(start)})

    def _follow_history(self, history_id: str) -> bool:
        """Apply the mailbox's changes since ``history_id``; False when Gmail no longer
        knows that id (a full import is due)."""
        params = {"startHistoryId": history_id, "historyTypes": HISTORY_TYPES}
        present: dict[str, bool] = {}  # message id -> held after its last change
        latest = history_id
        for page in self._pages("/users/me/history", params, missing=(404,)):
            if page is None:
                return False
            for record in page.get("history", []):
                for change in CHANGES:
                    for item in record.get(change, []):
                        message = item["message"]
                        gone = change == "messagesDeleted" or _left_out(message)
                        present[message["id"]] = not gone
            latest = str(page.get("historyId", latest))
        self._import([message_id for message_id, kept in present.items() if kept])
        self._let_go([message_id for message_id, kept in present.items() if not kept])
        self._store_cursor({"historyId": latest})
        return True

    def _import(self, message_ids: list[str]) -> None:
        """Fetch and import those of ``message_ids`` not held yet, a batch per transaction."""
        with transaction(self.engine, write=False) as session:
            held = self._held(session, message_ids)
        wanted = [message_id for message_id in message_ids if message_id not in held]
        batch = self.settings.sync_batch
        for start in range(0, len(wanted), batch):
            fetched = list(self._fetch(wanted[start : start + batch]))
            with transaction(self.engine) as session:
                importer = MessageImporter(session, self.store(session), self.lease)
                self.report.imported += importer.import_messages(fetched)
                self.checkpoint(session)

    def _fetch(self, message_ids: list[str]) -> Iterator[tuple[MailPlace, ParsedMessage]]:
        """The messages still there and outside spam and trash, read."""
        for message_id in message_ids:
            found = self.client.get(
                f"/users/me/messages/{message_id}", {"format": "raw"}, missing=(404,)
            )
            if found is None or _left_out(found):
                continue  # deleted, or moved to spam or trash, since it was listed
            raw = base64.urlsafe_b64decode(found["raw"] + "=" * (-len(found["raw"]) % 4))
            arrived = None
            if found.get("internalDate"):
                arrived = datetime.fromtimestamp(int(found["internalDate"]) / 1000, UTC)
            yield MailPlace(message_id), parse_message(raw, arrived)

    def _let_go(self, message_ids: list[str]) -> None:
        """Drop the places of messages deleted or moved to spam or trash, and destroy what
        no mailbox holds any more."""
        if not message_ids:
            return
        with transaction(self.engine) as session:
            for message_id in message_ids:
                forget_places(session, self.lease.channel_id, message_id, None)
            store = self.store(session)
            removed = remove_orphan_messages(session, store, self.lease.workspace_id)
            self.report.removed += removed.messages
            self.report.threads_removed += removed.threads
            self.checkpoint(session)

    def _store_cursor(self, cursor: dict[str, Any]) -> None:
        with transaction(self.engine) as session:
            self.cursor = cursor
            renew_lease(session, self.lease, self.settings, cursor)

    def _pages(
        self, path: str, params: dict[str, Any], missing: tuple[int, ...] = ()
    ) -> Iterator[Any]:
        """Each page of a listing (None for a status in ``missing``), following
        ``nextPageToken``."""
        page_token = None
        while True:
            page = self.client.get(
                path, {**params, **({"pageToken": page_token} if page_token else {})}, missing
            )
            yield page
            page_token = page.get("nextPageToken") if page else None
            if not page_token:
                return

    def _held(self, session: Any, message_ids: list[str]) -> set[str]:
        """Those of ``message_ids`` whose place the channel holds."""
        found: set[str] = set()
        for start in range(0, len(message_ids), LOOKUP_CHUNK):
            # Inputs: the channel, some Gmail ids. Answer: those it holds a place for.
            query = sa.select(PLACES.c.folder).where(
                PLACES.c.channel_id == self.lease.channel_id,
                PLACES.c.folder.in_(message_ids[start : start + LOOKUP_CHUNK]),
            )
            found.update(session.execute(query).scalars())
        return found


def _left_out(message: dict[str, Any]) -> bool:
    return bool(LEFT_OUT.intersection(message.get("labelIds", ())))
