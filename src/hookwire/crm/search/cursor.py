"""Search cursors as Twenty encodes them: base64 of ``{lastRanks, lastRecordIdsPerObject}``."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field

from hookwire.crm.search.ranking import as_real, f32
from hookwire.errors import BadRequest


@dataclass(frozen=True)
class SearchCursor:
    """Where a page ended: the last ranks, and the last record id shown of each object."""

    rank_cd: float
    rank: float
    last_ids: dict[str, str] = field(default_factory=dict)

    def encode(self) -> str:
        data = {
            "lastRanks": {"tsRankCD": as_real(self.rank_cd), "tsRank": as_real(self.rank)},
            "lastRecordIdsPerObject": self.last_ids,
        }
        return base64.b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()

    @classmethod
    def decode(cls, text: str) -> SearchCursor:
        try:
            data = json.loads(base64.b64decode(text, validate=True))
            ranks = data["lastRanks"]
            last_ids = data.get("lastRecordIdsPerObject") or {}
            if not all(isinstance(value, str) for value in last_ids.values()):
                raise ValueError
            return cls(f32(float(ranks["tsRankCD"])), f32(float(ranks["tsRank"])), last_ids)
        except (ValueError, TypeError, KeyError, AttributeError, binascii.Error):
            raise BadRequest(
                f"after: invalid cursor '{text[:40]}'; pass an endCursor or cursor from a "
                "search answer"
            ) from None

    def precedes(self, object_name: str, record_id: str, rank_cd: float, rank: float) -> bool:
        """Whether a record of ``object_name`` with these ranks comes after this cursor (as
        Twenty pages: lower ranks, or equal ranks and a greater id than the object's last)."""
        if rank_cd != self.rank_cd:
            return rank_cd < self.rank_cd
        if rank != self.rank:
            return rank < self.rank
        last_id = self.last_ids.get(object_name)
        return last_id is None or record_id > last_id
