"""Who the people a mailbox or calendar deals with are in the workspace: persons of the CRM
(by primary email) and workspace members (its users), each matched by address."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from hookwire.crm import RecordStore
from hookwire.models import User


class Correspondents:
    """Address lookups for one import batch.

    Arguments:
        session: the batch's transaction.
        store: the workspace's records store.
        workspace_id: the workspace.
    """

    def __init__(self, session: Session, store: RecordStore, workspace_id: str) -> None:
        self.session = session
        self.store = store
        self.workspace_id = workspace_id
        self._members: dict[str, str] | None = None

    def people(self, handles: Iterable[str]) -> dict[str, str]:
        """Person id by (lower-case) address, for the addresses the CRM has a person of."""
        person = self.store.catalog.object_by_singular("person")
        wanted = sorted(set(handles))
        if person is None or not wanted:
            return {}
        found: dict[str, str] = {}
        for record in self.store.matching(person, "emails.primaryEmail", wanted):
            email = ((record.get("emails") or {}).get("primaryEmail") or "").lower()
            found.setdefault(email, record["id"])
        return found

    def members(self) -> dict[str, str]:
        """Workspace member id by (lower-case) address: the workspace's users."""
        if self._members is None:
            # Inputs: the workspace. Answer: its users' ids and addresses.
            rows = self.session.execute(
                sa.select(User.id, User.email).where(User.workspace_id == self.workspace_id)
            )
            self._members = {row.email.lower(): row.id for row in rows}
        return self._members
