"""Expression indexes on record documents, created when a field that needs one appears.

Indexes are keyed by (path, kind), not by object: every object and workspace with a
``name.lastName`` text field shares one index on ``(object_id, <name.lastName>, position, id)``.
Their number therefore grows with distinct field names, not with workspaces. The trailing
``position, id`` is the default list order, so an equality filter reads its page straight off
the index in order; without it SQLite, which has no statistics, prefers walking the position
index and filtering every row of the object. On PostgreSQL they are partial (``WHERE <path>
IS NOT NULL``), so an index holds only the records that have the path, not every record.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hookwire.crm.catalog import FieldSpec
from hookwire.crm.expressions import document_expression_sql
from hookwire.crm.field_types import (
    INDEXED_SCALAR_TYPES,
    SCALAR_KINDS,
    ValueKind,
    is_composite,
    subfields,
)


def indexed_paths(field: FieldSpec) -> list[tuple[tuple[str, ...], ValueKind]]:
    """The document paths of ``field`` that deserve an index."""
    if not field.is_stored:
        return []  # system values live in indexed columns; one-to-many sides store nothing
    if field.join_columns:
        return [((column.key,), ValueKind.TEXT) for column in field.join_columns]
    if is_composite(field.type):
        return [((field.name, s.name), s.kind) for s in subfields(field.type) if s.indexed]
    if field.type in INDEXED_SCALAR_TYPES:
        return [((field.storage_name,), SCALAR_KINDS[field.type])]
    return []


INDEX_PREFIX = "ix_record_doc_"
INDEX_LAYOUT = "object_id,expr,position,id"


def index_name(path: tuple[str, ...], kind: ValueKind) -> str:
    # The column layout is part of the name so a changed layout never hides behind an old index.
    digest = hashlib.sha1(f"{'.'.join(path)}:{kind}:{INDEX_LAYOUT}".encode()).hexdigest()[:16]
    return f"{INDEX_PREFIX}{digest}"


def is_field_index(name: str | None) -> bool:
    """Whether an index is one of these runtime ones, which migrations must leave alone."""
    return bool(name) and name.startswith(INDEX_PREFIX)


def ensure_field_indexes(connection: Connection, field: FieldSpec) -> None:
    dialect = connection.dialect.name
    for path, kind in indexed_paths(field):
        expression = document_expression_sql(dialect, path, kind)
        predicate = _predicate(dialect, expression)
        connection.execute(
            sa.text(
                f"CREATE INDEX IF NOT EXISTS {index_name(path, kind)} "
                f"ON record (object_id, {expression}, position, id){predicate}"
            )
        )


def _predicate(dialect: str, expression: str) -> str:
    """Only the records that have a value at the path, on PostgreSQL (see migration 0007):
    the API's filters on a path imply it is not null, and most objects never have it."""
    return f" WHERE {expression} IS NOT NULL" if dialect == "postgresql" else ""
