"""Merging duplicate records into one: how each field's values combine, as Twenty does.

The records come in the order the client listed their ids; one of them has priority. A field
only one record fills takes that value. Otherwise the priority record's value wins where it has
one, else the first record's that has one. Lists (ARRAY, MULTI_SELECT) take every distinct
item, in record order; e-mails, phones and links keep the winning primary and gather every
other address, number or link (primary or additional, in record order, once) as additional.
"""

from __future__ import annotations

from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.field_types import FieldType
from hookwire.crm.standard_objects import ACTOR_FIELD_NAMES


def has_value(value: Any) -> bool:
    """Twenty's ``hasRecordFieldValue``: blank strings, empty lists and composites whose
    parts are all empty have none; ``False`` and ``0`` do."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    if isinstance(value, float):
        return value == value  # not NaN
    if isinstance(value, list):
        return len(value) > 0
    if isinstance(value, dict):
        return any(has_value(part) for part in value.values())
    return True


def _distinct(values: list[Any], key: str | None = None) -> list[Any]:
    """``values`` without repeats (of ``value[key]`` when given), first one kept."""
    seen: list[Any] = []
    kept: list[Any] = []
    for value in values:
        identity = value.get(key) if key else value
        if identity not in seen:
            seen.append(identity)
            kept.append(value)
    return kept


def _winner(values: list[tuple[bool, Any]], primary: str) -> dict[str, Any] | None:
    """The priority value if its ``primary`` is filled, else the first value whose is."""
    with_primary = [(is_priority, v) for is_priority, v in values if has_value(v.get(primary))]
    return next((v for is_priority, v in with_primary if is_priority), None) or next(
        (v for _, v in with_primary), None
    )


def _gathered(
    values: list[tuple[bool, Any]],
    primary: str,
    additional: str,
    entry: Any,
    key: str | None,
    winner: dict[str, Any] | None,
) -> list[Any] | None:
    """Every primary (as ``entry`` makes it an additional item) and additional item, in
    record order, once, except the winner's primary; None when there is none."""
    items: list[Any] = []
    for _, value in values:
        if has_value(value.get(primary)):
            items.append(entry(value))
        items.extend(
            item
            for item in value.get(additional) or []
            if has_value(item.get(key) if key else item)
        )
    chosen = winner.get(primary) if winner else None
    kept = [i for i in _distinct(items, key) if (i.get(key) if key else i) != chosen]
    return kept or None


def _emails(values: list[tuple[bool, Any]]) -> dict[str, Any]:
    winner = _winner(values, "primaryEmail")
    return {
        "primaryEmail": winner["primaryEmail"] if winner else "",
        "additionalEmails": _gathered(
            values, "primaryEmail", "additionalEmails", lambda v: v["primaryEmail"], None, winner
        ),
    }


def _phones(values: list[tuple[bool, Any]]) -> dict[str, Any]:
    winner = _winner(values, "primaryPhoneNumber")

    def entry(value: dict[str, Any]) -> dict[str, Any]:
        return {
            "number": value["primaryPhoneNumber"],
            "countryCode": value.get("primaryPhoneCountryCode"),
            "callingCode": value.get("primaryPhoneCallingCode"),
        }

    return {
        "primaryPhoneNumber": winner["primaryPhoneNumber"] if winner else "",
        "primaryPhoneCountryCode": winner.get("primaryPhoneCountryCode") if winner else None,
        "primaryPhoneCallingCode": winner.get("primaryPhoneCallingCode") if winner else "",
        "additionalPhones": _gathered(
            values, "primaryPhoneNumber", "additionalPhones", entry, "number", winner
        ),
    }


def _links(values: list[tuple[bool, Any]]) -> dict[str, Any]:
    winner = _winner(values, "primaryLinkUrl")

    def entry(value: dict[str, Any]) -> dict[str, Any]:
        return {"url": value["primaryLinkUrl"], "label": value.get("primaryLinkLabel")}

    return {
        "primaryLinkUrl": winner["primaryLinkUrl"] if winner else "",
        "primaryLinkLabel": winner.get("primaryLinkLabel") if winner else "",
        "secondaryLinks": _gathered(
            values, "primaryLinkUrl", "secondaryLinks", entry, "url", winner
        ),
    }


def merged_value(field_type: FieldType, values: list[tuple[bool, Any]]) -> Any:
    """``values`` (``(is the priority record's, value)`` in record order, each filled)
    combined into one."""
    if len(values) == 1:
        return values[0][1]
    match field_type:
        case FieldType.ARRAY | FieldType.MULTI_SELECT:
            return _distinct([i for _, value in values for i in value if has_value(i)]) or None
        case FieldType.EMAILS:
            return _emails(values)
        case FieldType.PHONES:
            return _phones(values)
        case FieldType.LINKS:
            return _links(values)
    return next((value for is_priority, value in values if is_priority), values[0][1])


def merged_fields(spec: ObjectSpec, records: list[dict[str, Any]], priority: int) -> dict[str, Any]:
    """The merged value of every data field some of ``records`` (in the client's order, the
    one at ``priority`` winning conflicts) fill; fields none fills are left out."""
    merged: dict[str, Any] = {}
    for field in spec.data_fields:
        if field.name in ACTOR_FIELD_NAMES:
            continue
        for key in field.stored_keys:
            values = [
                (index == priority, record.get(key))
                for index, record in enumerate(records)
                if has_value(record.get(key))
            ]
            if values:
                merged[key] = merged_value(field.type, values)
    return merged
