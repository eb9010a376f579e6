"""Record versions for optimistic concurrency: a record's ETag, and ``If-Match``.

A record's ETag is a strong entity tag derived from the record as the API shows it (every
field, ``updatedAt`` and ``deletedAt`` included): every write of the record changes its
``updatedAt``, so every write changes its ETag, and two reads of an unchanged record give the
same one. A client sends it back in ``If-Match`` to change the record only if no one else has
changed it since it was read; ``*`` matches any existing record. The store compares it with
the record it has locked for the write, so the comparison and the write are one step.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from hookwire.errors import BadRequest, PreconditionFailed


def record_etag(record: dict[str, Any]) -> str:
    """The strong ETag (quoted, as the header carries it) of ``record``, a record as
    ``record_output`` gives it."""
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class IfMatch:
    """An ``If-Match`` header: ``*`` (any existing record) or a list of entity tags."""

    any: bool = False
    tags: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, header: str | None) -> IfMatch | None:
        """None when the request has no If-Match (it then changes the record whatever its
        version, as before); 400 naming If-Match when the header holds no entity tag."""
        if header is None:
            return None
        text = header.strip()
        if text == "*":
            return cls(any=True)
        tags: set[str] = set()
        for part in text.split(","):
            tag = part.strip()
            if not tag:
                continue
            if tag.startswith("W/"):
                continue  # a weak tag never matches in If-Match (strong comparison)
            if not (len(tag) >= 2 and tag[0] == tag[-1] == '"'):
                tag = f'"{tag}"'  # be lenient with a tag sent without its quotes
            tags.add(tag)
        if not tags and not any(p.strip().startswith("W/") for p in text.split(",")):
            raise BadRequest(
                'If-Match: expected "*" or the ETag of the record (as a GET of it answers), '
                f"got {header!r}"
            )
        return cls(tags=frozenset(tags))

    def check(self, what: str, record: dict[str, Any]) -> None:
        """412 unless ``record`` (the current version, locked) is one the client named."""
        if self.any:
            return
        current = record_etag(record)
        if current not in self.tags:
            raise PreconditionFailed(
                f"If-Match: the {what} with id {record['id']} has changed since the version "
                f"you sent ({', '.join(sorted(self.tags)) or 'a weak ETag'}); its current "
                f"ETag is {current}. Fetch it again, then retry with the new ETag"
            )
