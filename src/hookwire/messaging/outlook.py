"""A Microsoft mailbox's sync, over Microsoft Graph: the inbox and sent items, each read as
a delta query (``/me/mailFolders/{folder}/messages/delta``), every new message fetched as
MIME (``/me/messages/{id}/$value``) and imported as an IMAP message is.

First import: the messages received in the last ``first_import_days`` days. Then
incremental: each folder's delta link answers what was added and removed since. A page of
the delta commits its records, its places and the cursor (the next page's link, or the final
delta link) together, so a sync killed midway resumes at the page it stopped in, and a page
run twice imports nothing twice. A place's folder is the message's Graph id (UID 0), so a
removal lets go of exactly that message; messages no mailbox holds are destroyed once every
folder is read, so a message moved between folders keeps its record.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.connected_accounts import (
    ChannelLease,
    GraphClient,
    GraphGone,
)
from hookwire.crm import ChangeSink
from hookwire.database import transaction
from hookwire.messaging.cleanup import forget_places, remove_orphan_messages
from hookwire.messaging.importer import MailChannelSync, MailPlace, MessageImporter
from hookwire.messaging.parsing import ParsedMessage, parse_message
from hookwire.models import utcnow

if TYPE_CHECKING:  # the sync module names this one among its sources
    from hookwire.messaging.sync import SyncReport

FOLDERS = ("inbox", "sentitems")  # Graph's well-known folder names


def sync_outlook(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: SyncReport,
) -> None:
    """The sync of a Microsoft mailbox; a failure of Graph is ServiceUnreachable."""
    with closing(GraphClient(engine, config, lease)) as graph:
        _OutlookSync(engine, config, lease, graph, sink, report).run()


class _OutlookSync(MailChannelSync[GraphClient]):
    def run(self) -> None:
        self.report.folders = list(FOLDERS)
        for folder in FOLDERS:
            link = self.folders.get(folder, {}).get("link")
            try:
                self._read_folder(folder, link)
            except GraphGone:
                # Graph forgot the delta: list the folder again (what is held is skipped).
                self._read_folder(folder, None)
        with transaction(self.engine) as session:
            removed = remove_orphan_messages(session, self.store(session), self.lease.workspace_id)
            self.report.removed += removed.messages
            self.report.threads_removed += removed.threads
            self.checkpoint(session)

    def _read_folder(self, folder: str, link: str | None) -> None:
        """Follow the folder's delta from ``link`` (from the start when None), one committed
        batch per page."""
        params = None
        if link is None:
            since = utcnow() - timedelta(days=self.settings.first_import_days)
            link = f"/me/mailFolders/{folder}/messages/delta"
            params = {
                "$select": "id,receivedDateTime",
                "$filter": f"receivedDateTime ge {since.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            }
        prefer = f"odata.maxpagesize={self.settings.sync_batch}"
        for items, after in self.client.pages(link, params, Prefer=prefer):
            gone = [item["id"] for item in items if "@removed" in item]
            fetched = self._fetch([item for item in items if "@removed" not in item])
            with transaction(self.engine) as session:
                importer = MessageImporter(session, self.store(session), self.lease)
                self.report.imported += importer.import_messages(fetched)
                for message_id in gone:
                    forget_places(session, self.lease.channel_id, message_id, None)
                self.folders[folder] = {"link": after}
                self.checkpoint(session)

    def _fetch(self, items: list[dict[str, Any]]) -> list[tuple[MailPlace, ParsedMessage]]:
        """Each item's MIME message, parsed; one deleted meanwhile (404) is left out."""
        fetched = []
        for item in items:
            answer = self.client.get(f"/me/messages/{item['id']}/$value", absent_ok=True)
            if answer.status_code == 404:
                continue
            received = _timestamp(item.get("receivedDateTime"))
            fetched.append((MailPlace(item["id"]), parse_message(answer.content, received)))
        return fetched


def _timestamp(value: str | None) -> datetime | None:
    """Graph's ``2024-01-31T09:00:00Z`` (or with a fraction), None when absent or broken."""
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
