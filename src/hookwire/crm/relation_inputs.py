"""Relation write inputs: ``company: {connect: {where: {id}}}`` and ``{disconnect: true}``.

Clients may set a many-to-one relation by its id key (``companyId``) or, as Twenty's nested
inputs allow, by naming the relation with ``connect`` (a target record found by its id or by
a unique field) or ``disconnect``. Both forms become the id key before validation.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from hookwire.crm.catalog import Catalog, JoinColumn, ObjectSpec
from hookwire.crm.unique_keys import UniqueScope, holders, unique_value
from hookwire.errors import BadRequest

CONNECT, DISCONNECT, WHERE = "connect", "disconnect", "where"


def resolve_relation_inputs(
    session: Session, catalog: Catalog, spec: ObjectSpec, item: Any, where: str = ""
) -> Any:
    """``item`` with every nested relation input replaced by its id key."""
    if not isinstance(item, dict):
        return item
    columns = {
        column.relation_name: column for field in spec.data_fields for column in field.join_columns
    }
    nested = [key for key in item if key in columns and isinstance(item[key], dict)]
    if not nested:
        return item
    resolved = dict(item)
    for name in nested:
        column = columns[name]
        value = resolved.pop(name)
        if column.key in resolved:
            raise BadRequest(f"{where}{name}: set either {name} or {column.key}, not both")
        resolved[column.key] = _target_id(session, catalog, column, value, f"{where}{name}")
    return resolved


def _target_id(
    session: Session, catalog: Catalog, column: JoinColumn, value: dict, path: str
) -> str | None:
    if set(value) - {CONNECT, DISCONNECT} or len(value) != 1:
        raise BadRequest(
            f"{path}: expected {{connect: {{where: {{id: …}}}}}} or {{disconnect: true}}"
        )
    if DISCONNECT in value:
        if value[DISCONNECT] is not True:
            raise BadRequest(f"{path}.disconnect: expected true")
        return None
    connect = value[CONNECT]
    lookup = connect.get(WHERE) if isinstance(connect, dict) else None
    if not isinstance(lookup, dict) or len(lookup) != 1:
        raise BadRequest(
            f"{path}.connect.where: expected one key that identifies the record: id or a "
            "unique field"
        )
    key, wanted = next(iter(lookup.items()))
    if key == "id":
        if not isinstance(wanted, str):
            raise BadRequest(f"{path}.connect.where.id: expected a UUID")
        return wanted
    target = catalog.object_by_singular(column.target)
    field = next((f for f in target.unique_fields if f.name == key), None) if target else None
    if field is None:
        unique = ", ".join(["id", *(f.name for f in target.unique_fields)]) if target else "id"
        raise BadRequest(
            f"{path}.connect.where.{key}: not a unique field of {column.target}; use {unique}"
        )
    value_text = unique_value(field, {field.storage_name: wanted})
    found = holders(session, UniqueScope.of(target), [(field, value_text)]) if value_text else {}
    if not found:
        raise BadRequest(f"{path}.connect.where: no {column.target} with {key} {wanted!r}")
    return next(iter(found.values()))
