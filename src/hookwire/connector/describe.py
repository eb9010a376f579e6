"""A readable overview of a definition: authentication, triggers, actions, searches, fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from hookwire.connector.operations import COMPONENT_KINDS

_TITLES = {"triggers": "Triggers", "creates": "Actions", "searches": "Searches"}


def describe(definition: Mapping[str, Any]) -> str:
    """Tables of a validated (normalized) definition."""
    title = definition.get("title", definition["key"])
    lines = [f"{title} ({definition['key']} {definition['version']})"]
    auth = definition.get("authentication")
    if auth:
        lines += ["", f"Authentication: {auth['type']}", f"  test: {_entry(auth['test'])}"]
        if "connectionLabel" in auth:
            lines.append(f"  connection label: {auth['connectionLabel']}")
        lines += _fields_table(auth.get("fields", []), indent="  ")
    for kind in COMPONENT_KINDS:
        components = definition.get(kind, {})
        if not components:
            continue
        lines += ["", _TITLES[kind]]
        lines += _table(
            ("KEY", "TYPE", "HIDDEN", "LABEL"),
            [
                (
                    key,
                    c["operation"].get("type", "polling") if kind == "triggers" else "-",
                    "yes" if c["display"].get("hidden") else "no",
                    c["display"]["label"],
                )
                for key, c in components.items()
            ],
            indent="  ",
        )
        for key, component in components.items():
            fields = component["operation"].get("inputFields", [])
            if fields:
                lines += ["", f"  {key} input fields:"]
                lines += _fields_table(fields, indent="    ")
    return "\n".join(lines)


def _fields_table(fields: list[Any], indent: str) -> list[str]:
    rows = []
    for field in fields:
        if isinstance(field, str):
            rows.append(("(dynamic)", "-", "-", f"from {field}"))
            continue
        notes = []
        if field.get("list"):
            notes.append("list")
        if field.get("dynamic"):
            notes.append(f"dropdown from {field['dynamic']}")
        if field.get("choices"):
            notes.append(f"choices: {', '.join(_choices(field['choices']))}")
        if "default" in field:
            notes.append(f"default {field['default']!r}")
        rows.append(
            (
                field["key"],
                field.get("type", "string"),
                "yes" if field.get("required") else "no",
                "; ".join(notes),
            )
        )
    return _table(("FIELD", "TYPE", "REQUIRED", "NOTES"), rows, indent)


def _choices(choices: Any) -> Iterable[str]:
    if isinstance(choices, Mapping):
        return list(choices)
    return [c["value"] if isinstance(c, Mapping) else c for c in choices]


def _entry(entry: Any) -> str:
    if isinstance(entry, str):
        return entry
    return f"{entry.get('method', 'GET')} {entry['url']}"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], indent: str) -> list[str]:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    return [
        indent
        + "  ".join(
            str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in [header, *rows]
    ]
