"""What a REST record carries: ``fields`` picks its keys, ``depth=1`` embeds related records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.field_types import FieldType
from hookwire.crm.records import RecordStore
from hookwire.crm.rest.relations import embed, relations


def readable_fields(spec: ObjectSpec) -> dict[str, tuple[str, ...]]:
    """The names ``fields`` accepts, each with the keys it selects in a depth-0 record: every
    field a REST record shows (a relation by its name, selecting its id key, or by that key),
    one-to-many relations (shown at depth 1 only) included."""
    return spec.cached("rest.readable_fields", lambda: _readable_fields(spec))


def _readable_fields(spec: ObjectSpec) -> dict[str, tuple[str, ...]]:
    names: dict[str, tuple[str, ...]] = {}
    for field in (f for f in spec.fields if f.is_active):
        if field.is_stored:
            names[field.name] = field.stored_keys
            names.update((key, (key,)) for key in field.stored_keys)
        elif field.to_many:
            names[field.name] = ()
        elif field.type is not FieldType.TS_VECTOR:  # system columns but the search vector
            names[field.name] = (field.name,)
    return names


@dataclass(frozen=True)
class RecordShape:
    """``depth`` (0 or 1) and the ``fields`` asked for (None: all); ``id`` is always kept."""

    depth: int = 0
    fields: frozenset[str] | None = None

    def apply(
        self, store: RecordStore, spec: ObjectSpec, records: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        chosen = [
            relation
            for relation in (relations(store.catalog, spec) if self.depth else ())
            if self.fields is None or relation.field in self.fields
        ]
        shaped = embed(store, records, chosen) if chosen else records
        if self.fields is None:
            return shaped
        readable = readable_fields(spec)
        keys = {"id", *(r.name for r in chosen), *(k for f in self.fields for k in readable[f])}
        return [{k: v for k, v in record.items() if k in keys} for record in shaped]

    def one(self, store: RecordStore, spec: ObjectSpec, record: dict[str, Any]) -> dict[str, Any]:
        return self.apply(store, spec, [record])[0]
