"""SQL expressions that reach into record documents, identical in queries and index DDL.

A planner only uses an expression index when the query repeats the indexed expression to
the letter, so both are rendered here from one function. Path parts are metadata names,
already validated as camelCase identifiers, which makes inlining them safe.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from hookwire.crm.field_types import ValueKind

_SAFE_PART = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def document_expression_sql(dialect: str, path: tuple[str, ...], kind: ValueKind) -> str:
    """The SQL text for the value at ``path`` in ``record.data``, typed as ``kind``."""
    for part in path:
        if not _SAFE_PART.fullmatch(part):  # match() with $ would take "name\n"
            raise ValueError(f"unsafe path part {part!r}")
    if dialect == "sqlite":
        # json_extract returns native SQLite values: numbers compare as numbers.
        return f"json_extract(data, '$.{'.'.join(path)}')"
    parents = "".join(f"->'{part}'" for part in path[:-1])
    node = f"data{parents}->'{path[-1]}'"
    text = f"(data{parents}->>'{path[-1]}')"
    match kind:
        case ValueKind.NUMBER:
            # Guarded cast: the same path may hold a non-number in another object's records.
            return f"(CASE WHEN jsonb_typeof({node}) = 'number' THEN {text}::numeric END)"
        case ValueKind.BOOLEAN:
            return f"(CASE WHEN jsonb_typeof({node}) = 'boolean' THEN {text}::boolean END)"
        case ValueKind.LIST | ValueKind.JSON:
            # A JSON null is SQL NULL, as json_extract makes it on SQLite, so [is]:NULL agrees.
            return f"NULLIF({node}, 'null'::jsonb)"
    return text


def document_expression(dialect: str, path: tuple[str, ...], kind: ValueKind) -> sa.ColumnElement:
    return sa.literal_column(document_expression_sql(dialect, path, kind))
