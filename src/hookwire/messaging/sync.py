"""A messaging channel's sync: import what is new in each folder, then let go of what left.

First import: every message of the last ``first_import_days`` days. Then incremental: a
folder whose UIDVALIDITY, UIDNEXT, EXISTS and HIGHESTMODSEQ are as last seen is skipped
without a search; otherwise the UIDs above the last imported one are fetched in batches, and
the UIDs known but gone are let go. A batch commits its records, its places and the cursor
together, so a sync killed midway resumes after the last committed batch, and a batch run
twice imports nothing twice. Additions to every folder come before removals from any, so a
message moved between folders keeps its record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.connected_accounts import (
    IMAP_SMTP_CALDAV,
    ChannelLease,
    ChannelSource,
    ServiceUnreachable,
    imap_connection,
    run_channel_sync,
    server_text,
)
from hookwire.crm import ChangeSink
from hookwire.database import transaction
from hookwire.messaging.cleanup import Removed, forget_places, remove_orphan_messages
from hookwire.messaging.gmail import sync_gmail
from hookwire.messaging.importer import MailChannelSync, MailPlace, MessageImporter
from hookwire.messaging.mailbox import (
    FolderState,
    all_uids,
    enable_condstore,
    fetch_messages,
    mail_folders,
    select,
    uids_after,
)
from hookwire.messaging.outlook import sync_outlook
from hookwire.models import MailboxMessage, utcnow

log = logging.getLogger(__name__)
PLACES = MailboxMessage.__table__


@dataclass
class SyncReport:
    """What one sync did; ``failure`` says why it stopped early, if it did."""

    imported: int = 0
    removed: int = 0
    threads_removed: int = 0
    folders_skipped: int = 0
    failure: str | None = None
    folders: list[str] = field(default_factory=list)


def sync_mailbox(
    engine: Engine, config: Config, channel_id: str, sink: ChangeSink | None
) -> SyncReport | None:
    """Run one sync of the messaging channel; None when another sync holds it (or it is
    gone, or waits for new credentials)."""
    return run_channel_sync(engine, config, channel_id, sink, SyncReport(), MAIL_SOURCES)


def sync_imap(
    engine: Engine,
    config: Config,
    lease: ChannelLease,
    sink: ChangeSink | None,
    report: SyncReport,
) -> None:
    """The sync of an IMAP mailbox; a failure of the server is ServiceUnreachable."""
    parameters = lease.parameters
    assert parameters is not None  # an imap_smtp_caldav lease has its login
    try:
        with imap_connection(parameters, config.accounts) as client:
            client.normalise_times = False  # INTERNALDATE with its zone, not local time
            _MailboxSync(engine, config, lease, client, sink, report).run()
    except (OSError, IMAPClientError) as error:
        where = f"{parameters.host}:{parameters.port}"
        raise ServiceUnreachable("IMAP", f"{where} failed: {server_text(error)}") from None


class _MailboxSync(MailChannelSync[IMAPClient]):
    def run(self) -> None:
        enable_condstore(self.client)
        names = mail_folders(self.client)
        self.report.folders = names
        changed: dict[str, FolderState] = {}
        for name in names:
            state = select(self.client, name)
            known = self.folders.get(name, {})
            if state.unchanged_since(known):
                self.report.folders_skipped += 1
                continue
            self._import_folder(name, state, known)
            changed[name] = state
        gone = [name for name in self.folders if name not in names]
        self._let_go(changed, gone)

    def _import_folder(self, name: str, state: FolderState, known: dict[str, Any]) -> None:
        first = known.get("uidvalidity") != state.uidvalidity
        if first:
            # A new folder, or its UIDs renumbered: nothing known of it holds.
            known = {"uidvalidity": state.uidvalidity, "lastUid": 0}
            with transaction(self.engine) as session:
                forget_places(session, self.lease.channel_id, name, None)
                self.folders[name] = known
                self.checkpoint(session)
        since = (utcnow() - timedelta(days=self.settings.first_import_days)).date()
        uids = uids_after(self.client, int(known.get("lastUid", 0)), since if first else None)
        batch = self.settings.sync_batch
        for start in range(0, len(uids), batch):
            chunk = uids[start : start + batch]
            fetched = fetch_messages(self.client, chunk)
            with transaction(self.engine) as session:
                importer = MessageImporter(session, self.store(session), self.lease)
                places = [(MailPlace(name, uid, state.uidvalidity), m) for uid, m in fetched]
                self.report.imported += importer.import_messages(places)
                self.folders[name] = {**self.folders.get(name, {}), "lastUid": chunk[-1]}
                self.checkpoint(session)

    def _let_go(self, changed: dict[str, FolderState], gone: list[str]) -> None:
        """Drop the places of messages no longer in a changed folder (or in a folder gone),
        destroy what no mailbox holds, and record each folder's state, in one transaction."""
        present = {}
        for name in changed:
            self.client.select_folder(name, readonly=True)
            present[name] = all_uids(self.client)
        with transaction(self.engine) as session:
            for name, uids in present.items():
                held = set(
                    session.execute(
                        sa.select(PLACES.c.uid).where(
                            PLACES.c.channel_id == self.lease.channel_id,
                            PLACES.c.folder == name,
                        )
                    ).scalars()
                )
                forget_places(session, self.lease.channel_id, name, held - uids)
                self.folders[name] = {**self.folders[name], **changed[name].as_cursor()}
            for name in gone:
                forget_places(session, self.lease.channel_id, name, None)
                self.folders.pop(name, None)
            removed = Removed()
            if present or gone:
                store = self.store(session)
                removed = remove_orphan_messages(session, store, self.lease.workspace_id)
            self.report.removed += removed.messages
            self.report.threads_removed += removed.threads
            self.checkpoint(session)


# How each provider's mailboxes sync.
MAIL_SOURCES: dict[str, ChannelSource[SyncReport]] = {
    IMAP_SMTP_CALDAV: sync_imap,
    "microsoft": sync_outlook,
    "google": sync_gmail,
}
