"""Turning validated writes into stored documents, and stored rows into API records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.field_types import FieldType, is_composite, subfields
from hookwire.errors import BadRequest
from hookwire.models import Record


def iso_timestamp(value: datetime | None) -> str | None:
    """Twenty's timestamp form: UTC with milliseconds, ``2024-01-31T09:00:00.000Z``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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
        return {s.name: merged.get(s.name, s.empty) for s in subfields(field.type)}
    if field.type is FieldType.DATE_TIME:
        return iso_timestamp(parse_timestamp(value))
    return value


def new_document(spec: ObjectSpec, data: dict[str, Any]) -> dict[str, Any]:
    """The stored document of a record created from validated ``data``."""
    document: dict[str, Any] = {}
    for field in spec.data_fields:
        key = field.storage_name
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


def updated_document(
    spec: ObjectSpec, current: dict[str, Any], patch: dict[str, Any]
) -> dict[str, Any]:
    """``current`` with validated ``patch`` applied; composite values merge subfield by subfield."""
    document = dict(current)
    for key, value in patch.items():
        field = spec.fields_by_storage_name[key]
        if value is None and not field.is_nullable:
            raise BadRequest(f"field '{key}' cannot be null on object '{spec.name_singular}'")
        document[key] = _normalized(field, value, current.get(key))
    return document


def record_output(spec: ObjectSpec, row: Record) -> dict[str, Any]:
    """A record as the API shows it: every active field, system fields included."""
    document = row.data or {}
    output: dict[str, Any] = {"id": row.id}
    for field in spec.data_fields:
        value = document.get(field.storage_name)
        output[field.storage_name] = empty_value(field) if value is None else value
    output["position"] = row.position
    output["createdAt"] = iso_timestamp(row.created_at)
    output["updatedAt"] = iso_timestamp(row.updated_at)
    output["deletedAt"] = iso_timestamp(row.deleted_at)
    return output


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))
