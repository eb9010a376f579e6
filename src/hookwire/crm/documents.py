"""Turning validated writes into stored documents, and stored rows into API records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from hookwire.crm.actors import Actor
from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.field_types import FieldType, ValueKind, is_composite, subfields
from hookwire.crm.standard_objects import ACTOR_FIELD_NAMES
from hookwire.errors import BadRequest

_NUMBER_TYPES = frozenset({FieldType.NUMBER, FieldType.NUMERIC, FieldType.POSITION})


def iso_timestamp(value: datetime | None) -> str | None:
    """Twenty's timestamp form: UTC with milliseconds, ``2024-01-31T09:00:00.000Z``."""
    if value is None:
        return None
    if value.tzinfo is None:  # stored columns: naive UTC, three per record of every list
        return value.isoformat(timespec="milliseconds") + "Z"
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def plain_number(value: Any) -> Any:
    """An integral float as an int, so JSON shows ``12`` and not ``12.0``, as Twenty does."""
    if type(value) is float and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def empty_value(field: FieldSpec) -> Any:
    if is_composite(field.type):
        return {s.name: s.empty for s in subfields(field.type)}
    return None


def _normalized(field: FieldSpec, value: Any, previous: Any = None) -> Any:
    if value is None:
        return empty_value(field) if is_composite(field.type) else None
    if is_composite(field.type):
        base = previous if isinstance(previous, dict) else empty_value(field)
        merged = {**base, **value}
        return {
            s.name: plain_number(merged.get(s.name, s.empty))
            if s.kind is ValueKind.NUMBER
            else merged.get(s.name, s.empty)
            for s in subfields(field.type)
        }
    if field.type is FieldType.DATE_TIME:
        return iso_timestamp(parse_timestamp(value))
    if field.type in _NUMBER_TYPES:
        return plain_number(value)
    if field.type is FieldType.FILES:
        return [_file_item(item) for item in value]
    return value


def _file_item(item: dict[str, Any]) -> dict[str, Any]:
    label = item["label"]
    extension = item.get("extension")
    if extension is None and "." in label:
        extension = "." + label.rsplit(".", 1)[1]
    return {"fileId": item["fileId"], "label": label, "extension": extension}


def new_document(spec: ObjectSpec, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """The stored document of a record created from validated ``data`` by ``actor``."""
    document: dict[str, Any] = {}
    for field in spec.data_fields:
        if field.name in ACTOR_FIELD_NAMES:
            document[field.name] = _actor_on_create(field.name, data, actor)
            continue
        for key in field.stored_keys:
            if key in data:
                value = data[key]
            elif field.default_value is not None:
                value = field.default_value
            elif is_composite(field.type):
                value = None
            else:
                continue
            document[key] = _normalized(field, value)
    return document


def _actor_on_create(name: str, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """As Twenty: ``createdBy`` is the caller, keeping a ``source`` the client gave (where the
    record came from: IMPORT, EMAIL…); ``updatedBy`` is the caller, whatever the client said."""
    given = data.get("createdBy") if name == "createdBy" else None
    source = given.get("source") if isinstance(given, dict) else None
    return actor.value({"source": source} if source else None)


def updated_document(
    spec: ObjectSpec, current: dict[str, Any], patch: dict[str, Any], actor: Actor
) -> dict[str, Any]:
    """``current`` with validated ``patch`` applied by ``actor``; composite values merge
    subfield by subfield; ``createdBy`` stays, ``updatedBy`` becomes ``actor``."""
    document = dict(current)
    for key, value in patch.items():
        field = spec.fields_by_storage_name[key]
        if field.name in ACTOR_FIELD_NAMES:
            continue
        if value is None and not field.is_nullable:
            raise BadRequest(f"field '{key}' cannot be null on object '{spec.name_singular}'")
        document[key] = _normalized(field, value, current.get(key))
    if "updatedBy" in spec.fields_by_storage_name:
        document["updatedBy"] = actor.value()
    return document


class StoredRow(Protocol):
    """What ``record_output`` reads: a ``Record``, or a row of its columns (lists)."""

    id: str
    data: dict[str, Any] | None
    position: float
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


def _output_keys(spec: ObjectSpec) -> tuple[tuple[str, FieldSpec, bool], ...]:
    """Per document key shown: its field and whether it is a number; worked out once per
    catalog, as a list turns every one of its rows into a record."""

    def build() -> tuple[tuple[str, FieldSpec, bool], ...]:
        return tuple(
            (key, field, field.type in _NUMBER_TYPES)
            for field in spec.data_fields
            for key in field.stored_keys
        )

    return spec.cached("output_keys", build)


def _absent(field: FieldSpec) -> Any:
    """What a field with no stored value shows."""
    return field.default_value if field.name in ACTOR_FIELD_NAMES else empty_value(field)


def record_output(spec: ObjectSpec, row: StoredRow) -> dict[str, Any]:
    """A record as the API shows it: every active field, system fields included."""
    document = row.data or {}
    output: dict[str, Any] = {"id": row.id}
    for key, field, is_number in _output_keys(spec):
        value = document.get(key)
        if value is None:
            value = _absent(field)
        elif is_number:
            value = plain_number(value)
        output[key] = value
    output["position"] = plain_number(row.position)
    output["createdAt"] = iso_timestamp(row.created_at)
    output["updatedAt"] = iso_timestamp(row.updated_at)
    output["deletedAt"] = iso_timestamp(row.deleted_at)
    return output


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
