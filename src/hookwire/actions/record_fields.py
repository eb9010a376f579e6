"""An object's fields as connector input fields, and input data back into a record.

Composite fields are flattened to ``field__subField`` on the way in and rebuilt on the way
out; relations are written as ``<name>Id``, morph relations as one ``<name><Target>Id`` per
target. What the server fills in (createdBy, updatedBy) is no input.
"""

from __future__ import annotations

from typing import Any

from hookwire.connector import ConnectorError
from hookwire.triggers.crm_api import COMPOSITE_SUBFIELDS, storage_names, writable_fields

SEPARATOR = "__"
SCALAR_TYPES = {
    "TEXT": "string",
    "RICH_TEXT": "text",
    "UUID": "string",
    "NUMBER": "number",
    "NUMERIC": "number",
    "POSITION": "number",
    "BOOLEAN": "boolean",
    "DATE": "string",
    "DATE_TIME": "datetime",
    "SELECT": "string",
    "MULTI_SELECT": "string",
    "RATING": "string",
    "ARRAY": "string",
    "RAW_JSON": "json",
    "FILES": "json",
    "RELATION": "string",
}
LIST_TYPES = ("MULTI_SELECT", "ARRAY")
# Subfields that are not plain text: (field type, is a list).
SUBFIELD_TYPES = {
    "additionalEmails": ("string", True),
    "additionalPhones": ("json", False),
    "secondaryLinks": ("json", False),
    "amountMicros": ("number", False),
    "addressLat": ("number", False),
    "addressLng": ("number", False),
}
RATINGS = tuple(f"RATING_{n}" for n in range(1, 6))
HELP = {
    "DATE": "A date, YYYY-MM-DD.",
    "DATE_TIME": "A date and time, ISO 8601 (2025-01-31T09:30:00Z).",
    "RAW_JSON": "Any JSON value.",
    "ARRAY": "A list of texts.",
    "FILES": 'A list of uploaded files: [{"fileId": "…", "label": "report.pdf"}].',
}


def is_required(field: dict[str, Any]) -> bool:
    """Required on create: not nullable and without a default."""
    return not field["isNullable"] and field.get("defaultValue") is None


def input_fields(node: dict[str, Any], *, for_create: bool) -> list[dict[str, Any]]:
    """The connector fields for every writable field of the object."""
    fields: list[dict[str, Any]] = []
    for field in writable_fields(node):
        required = for_create and is_required(field)
        if field["type"] in COMPOSITE_SUBFIELDS:
            fields.extend(_subfields(field, required))
        elif field["type"] == "MORPH_RELATION":
            fields.extend(_morph_targets(field, required))
        elif field["type"] in SCALAR_TYPES:
            fields.append(_scalar(field, required))
    return fields


def _morph_targets(field: dict[str, Any], required: bool) -> list[dict[str, Any]]:
    """One id input per target; a required morph relation needs one of them, not all."""
    targets = (field.get("settings") or {}).get("targetObjects") or []
    return [
        {
            "key": key,
            "label": f"{field['label']} ({target} id)",
            "type": "string",
            "required": required and len(targets) == 1,
            "helpText": f"The id of a {target}.",
        }
        for key, target in zip(storage_names(field), targets, strict=True)
    ]


def _scalar(field: dict[str, Any], required: bool) -> dict[str, Any]:
    kind = field["type"]
    result: dict[str, Any] = {
        "key": storage_names(field)[0],
        "label": field["label"],
        "type": SCALAR_TYPES[kind],
        "required": required,
    }
    if kind in LIST_TYPES:
        result["list"] = True
    if kind in ("SELECT", "MULTI_SELECT"):
        result["choices"] = [
            {"value": option["value"], "label": option.get("label", option["value"])}
            for option in field.get("options") or []
        ]
    if kind == "RATING":
        result["choices"] = list(RATINGS)
    help_text = field.get("description") or HELP.get(kind)
    if kind == "RELATION":
        target = (field.get("settings") or {}).get("targetObject", "record")
        result["label"] = f"{field['label']} (id)"
        help_text = f"The id of a {target}."
    if help_text:
        result["helpText"] = help_text
    return result


def _subfields(field: dict[str, Any], required: bool) -> list[dict[str, Any]]:
    subfields = COMPOSITE_SUBFIELDS[field["type"]]
    result = []
    for index, sub in enumerate(subfields):
        kind, is_list = SUBFIELD_TYPES.get(sub, ("string", False))
        entry: dict[str, Any] = {
            "key": f"{field['name']}{SEPARATOR}{sub}",
            "label": f"{field['label']} ({_words(sub)})",
            "type": kind,
            # A required composite needs its first (primary) part; the rest stay optional.
            "required": required and index == 0,
        }
        if is_list:
            entry["list"] = True
        result.append(entry)
    return result


def _words(camel: str) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in camel)
    return words[:1].upper() + words[1:]


def record_data(node: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The record's ``data`` from flat input: blanks left out, composites rebuilt."""
    known = {field["key"] for field in input_fields(node, for_create=False)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConnectorError(
            f"inputData: {', '.join(unknown)} not a field of {node['nameSingular']}; "
            f"use {', '.join(sorted(known))}"
        )
    data: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        name, _, sub = key.partition(SEPARATOR)
        if sub:
            data.setdefault(name, {})[sub] = value
        else:
            data[key] = value
    return data
