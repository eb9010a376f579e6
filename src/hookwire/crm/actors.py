"""Who writes a record: the ACTOR value the server keeps in ``createdBy`` and ``updatedBy``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """The author of a change, as Twenty names it: ``source`` (API, MANUAL, APPLICATION, …),
    a display ``name``, and the workspace member behind it when there is one."""

    source: str
    name: str
    workspace_member_id: str | None = None

    @classmethod
    def api_key(cls, key_name: str) -> Actor:
        return cls("API", key_name)

    def value(self, written: Any = None) -> dict[str, Any]:
        """The stored ACTOR; a client may set ``source`` and ``context`` of ``createdBy``."""
        written = written if isinstance(written, dict) else {}
        return {
            "source": written.get("source") or self.source,
            "workspaceMemberId": self.workspace_member_id,
            "name": self.name,
            "context": written.get("context") or {},
        }


SYSTEM = Actor("MANUAL", "System")
