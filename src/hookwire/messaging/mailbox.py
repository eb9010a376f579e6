"""Reading a mailbox over IMAP: which folders hold mail, where each stands, what is new."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from imapclient import IMAPClient

from hookwire.messaging.parsing import ParsedMessage, parse_message

# Folders whose mail is not correspondence, by special-use flag (RFC 6154) and by the names
# servers without those flags give them. \All is Gmail's copy of every other folder.
_SKIPPED_FLAGS = frozenset({b"\\Noselect", b"\\Trash", b"\\Junk", b"\\Drafts", b"\\All"})
_SKIPPED_NAMES = frozenset({"trash", "junk", "spam", "drafts", "deleted items", "deleted messages"})
FETCHED = [b"BODY.PEEK[]", b"INTERNALDATE"]


@dataclass(frozen=True)
class FolderState:
    """What SELECT says of a folder: a changed UIDVALIDITY voids every UID known in it;
    UIDNEXT, EXISTS and (with CONDSTORE) HIGHESTMODSEQ unchanged mean nothing happened."""

    uidvalidity: int
    uidnext: int
    exists: int
    modseq: int | None

    def as_cursor(self) -> dict[str, int | None]:
        return {
            "uidvalidity": self.uidvalidity,
            "uidnext": self.uidnext,
            "exists": self.exists,
            "modseq": self.modseq,
        }

    def unchanged_since(self, cursor: dict[str, int | None]) -> bool:
        return (
            cursor.get("uidvalidity") == self.uidvalidity
            and cursor.get("uidnext") == self.uidnext
            and cursor.get("exists") == self.exists
            and cursor.get("modseq") == self.modseq
        )


def enable_condstore(client: IMAPClient) -> None:
    """Ask for HIGHESTMODSEQ in every SELECT, where the server offers CONDSTORE."""
    capabilities = client.capabilities()
    if b"CONDSTORE" in capabilities and b"ENABLE" in capabilities:
        client.enable("CONDSTORE")


def mail_folders(client: IMAPClient) -> list[str]:
    """The folders to import from: every selectable one but trash, junk and drafts."""
    folders = []
    for flags, _delimiter, name in client.list_folders():
        if _SKIPPED_FLAGS & {flag for flag in flags if isinstance(flag, bytes)}:
            continue
        leaf = name.rsplit(_delimiter.decode() if _delimiter else "/", 1)[-1]
        if leaf.lower() in _SKIPPED_NAMES:
            continue
        folders.append(name)
    return sorted(folders, key=lambda name: (name.upper() != "INBOX", name))


def select(client: IMAPClient, folder: str) -> FolderState:
    answer = client.select_folder(folder, readonly=True)
    modseq = answer.get(b"HIGHESTMODSEQ")
    return FolderState(
        uidvalidity=int(answer[b"UIDVALIDITY"]),
        uidnext=int(answer.get(b"UIDNEXT", 0)),
        exists=int(answer.get(b"EXISTS", 0)),
        modseq=int(modseq) if modseq is not None else None,
    )


def uids_after(client: IMAPClient, last_uid: int, since: date | None = None) -> list[int]:
    """UIDs above ``last_uid`` in the selected folder (received ``since``, if given)."""
    criteria: list[object] = ["UID", f"{last_uid + 1}:*"]
    if since is not None:
        criteria += ["SINCE", since]
    # "n:*" always matches the last message, even below n: keep only what is above.
    return sorted(uid for uid in client.search(criteria) if uid > last_uid)


def all_uids(client: IMAPClient) -> set[int]:
    return set(client.search(["ALL"]))


def fetch_messages(client: IMAPClient, uids: Iterable[int]) -> list[tuple[int, ParsedMessage]]:
    """The messages with these UIDs, read; a UID expunged meanwhile is left out."""
    wanted = list(uids)
    if not wanted:
        return []
    fetched = client.fetch(wanted, FETCHED)
    found = []
    for uid in sorted(fetched):
        data = fetched[uid]
        raw = data.get(b"BODY[]")
        if raw is None:
            continue
        internal = data.get(b"INTERNALDATE")
        found.append(
            (uid, parse_message(raw, internal if isinstance(internal, datetime) else None))
        )
    return found
