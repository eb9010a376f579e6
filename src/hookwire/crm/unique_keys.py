"""Unique fields: each value a live record holds is claimed in ``record_unique_key``.

A composite field is unique on one subfield (``emails`` on ``primaryEmail``). Empty values
(null, ``""``) claim nothing, so any number of records may leave a unique field blank. A
soft-deleted record gives its values up; restoring it claims them again.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.field_types import is_composite, unique_subfield
from hookwire.errors import BadRequest
from hookwire.models import RecordUniqueKey

KEYS = RecordUniqueKey.__table__

MAX_UNIQUE_VALUE = 2048


def unique_path(field: FieldSpec) -> str:
    """``emails.primaryEmail`` for a composite, the field's name otherwise."""
    sub = unique_subfield(field.type) if is_composite(field.type) else None
    return f"{field.name}.{sub.name}" if sub else field.name


def unique_value(field: FieldSpec, document: dict[str, Any]) -> str | None:
    """The value ``document`` holds for unique ``field``, as stored in the key table."""
    value = document.get(field.storage_name)
    if is_composite(field.type):
        sub = unique_subfield(field.type)
        value = value.get(sub.name) if sub and isinstance(value, dict) else None
    if value is None or value == "":
        return None
    text = value if isinstance(value, str) else repr(value)
    if len(text) > MAX_UNIQUE_VALUE:
        raise BadRequest(
            f"{unique_path(field)}: a unique value may be {MAX_UNIQUE_VALUE} characters at most"
        )
    return text


@dataclass(frozen=True)
class UniqueScope:
    """The unique fields of one object whose claims are checked together."""

    object_id: str
    object_name: str
    fields: tuple[FieldSpec, ...]
    workspace_id: str  # a record is known by (workspace_id, id)

    @classmethod
    def of(cls, spec: ObjectSpec) -> UniqueScope:
        return cls(spec.id, spec.name_singular, spec.unique_fields, spec.workspace_id)


def unique_values(scope: UniqueScope, document: dict[str, Any]) -> Iterator[tuple[FieldSpec, str]]:
    for field in scope.fields:
        value = unique_value(field, document)
        if value is not None:
            yield field, value


def holders(
    session: Session, scope: UniqueScope, wanted: Iterable[tuple[FieldSpec, str]]
) -> dict[tuple[str, str], str]:
    """The live record holding each (field name, value) of ``wanted`` that one holds."""
    pairs = {(field.name, value) for field, value in wanted}
    if not pairs:
        return {}
    # Inputs: the object and (field, value) pairs; answer: who holds each claimed pair.
    rows = session.execute(
        sa.select(RecordUniqueKey.field_name, RecordUniqueKey.value, RecordUniqueKey.record_id)
        .where(RecordUniqueKey.object_id == scope.object_id)
        .where(sa.tuple_(RecordUniqueKey.field_name, RecordUniqueKey.value).in_(sorted(pairs)))
    ).all()
    return {(row.field_name, row.value): row.record_id for row in rows}


def claim(session: Session, scope: UniqueScope, documents: dict[str, dict[str, Any]]) -> None:
    """Claim the unique values of ``documents`` (by record id), or 400 naming a taken one.

    A value already claimed by the same record is kept; one claimed by another record, or by
    two of ``documents``, is refused. The claims are inserted first and only the values
    already taken are looked up: one round trip when nothing collides (the usual create).
    """
    wanted = [
        (record_id, field, value)
        for record_id, document in documents.items()
        for field, value in unique_values(scope, document)
    ]
    first: dict[tuple[str, str], str] = {}  # the record of documents that claims each value
    for record_id, field, value in wanted:
        first.setdefault((field.name, value), record_id)
    missed = set(first) - _insert_claims(session, scope, first)
    taken = holders(session, scope, ((f, v) for _, f, v in wanted if (f.name, v) in missed))
    for record_id, field, value in wanted:
        key = (field.name, value)
        holder = taken.get(key) or first[key]
        if holder != record_id:
            raise BadRequest(
                f"{unique_path(field)}: a {scope.object_name} with the value '{value}' already "
                f"exists (id {holder}); the field is unique (create with upsert to update it)"
            )


def _insert_claims(
    session: Session, scope: UniqueScope, claims: dict[tuple[str, str], str]
) -> set[tuple[str, str]]:
    """Insert the claims (``(field name, value)`` → record id) no record holds yet; the keys
    inserted. On PostgreSQL a claim that a concurrent transaction is inserting waits for it,
    then is skipped if it committed."""
    if not claims:
        return set()
    rows = [
        {
            "object_id": scope.object_id,
            "field_name": field_name,
            "value": value,
            "workspace_id": scope.workspace_id,
            "record_id": record_id,
        }
        for (field_name, value), record_id in claims.items()
    ]
    statement = _claim_statement(session.get_bind().dialect.name)
    return {(row.field_name, row.value) for row in session.execute(statement, rows)}


@functools.cache
def _claim_statement(dialect_name: str) -> sa.Insert:
    """Built once per dialect: building it costs more than running it."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return dialect.insert(KEYS).on_conflict_do_nothing().returning(KEYS.c.field_name, KEYS.c.value)


def release(
    session: Session, workspace_id: str, record_ids: list[str], field_name: str | None = None
) -> None:
    """Give up the values the records ``record_ids`` of a workspace claimed (of one field
    only, when named)."""
    if not record_ids:
        return
    statement = sa.delete(RecordUniqueKey).where(
        RecordUniqueKey.workspace_id == workspace_id, RecordUniqueKey.record_id.in_(record_ids)
    )
    if field_name is not None:
        statement = statement.where(RecordUniqueKey.field_name == field_name)
    session.execute(statement)


def release_field(session: Session, object_id: str, field_name: str) -> None:
    """Forget every claim on a field that is no longer unique."""
    session.execute(
        sa.delete(RecordUniqueKey).where(
            RecordUniqueKey.object_id == object_id, RecordUniqueKey.field_name == field_name
        )
    )


def reclaim(
    session: Session, scope: UniqueScope, record_id: str, before: dict, after: dict
) -> None:
    """Move ``record_id``'s claims from the values of ``before`` to those of ``after``."""
    old = {field.name: value for field, value in unique_values(scope, before)}
    new = {field.name: value for field, value in unique_values(scope, after)}
    changed = [name for name in old.keys() | new.keys() if old.get(name) != new.get(name)]
    if not changed:
        return
    for name in changed:
        if name in old:
            release(session, scope.workspace_id, [record_id], name)
    claim(session, scope, {record_id: after})
