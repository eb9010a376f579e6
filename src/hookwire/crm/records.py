"""The records service: every read and write of records, shared by REST and GraphQL."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Session, select

from hookwire.crm.catalog import Catalog, ObjectSpec
from hookwire.crm.documents import changed_fields, new_document, record_output, updated_document
from hookwire.crm.field_types import FieldType
from hookwire.crm.filters import Direction, FilterNode, OrderKey, mentions_field
from hookwire.crm.query import (
    decode_cursor,
    encode_cursor,
    filter_clause,
    keyset_clause,
    sort_keys,
)
from hookwire.crm.validation import validate_record
from hookwire.errors import BadRequest, NotFound
from hookwire.models import Record, utcnow

DEFAULT_LIMIT = 60
MAX_LIMIT = 200
DEFAULT_ORDER = (OrderKey("position", Direction.ASC_NULLS_FIRST),)


@dataclass(frozen=True)
class ListQuery:
    filter: FilterNode | None = None
    order_by: tuple[OrderKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    before: str | None = None
    from_end: bool = False  # GraphQL `last` without `before`: the final page


@dataclass
class Page:
    records: list[dict[str, Any]]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    cursors: list[str] = field(default_factory=list)

    @property
    def start_cursor(self) -> str | None:
        return self.cursors[0] if self.cursors else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


@dataclass(frozen=True)
class RecordChange:
    """A committed-with-the-write fact: ``action`` is created, updated, deleted, destroyed or
    restored; ``updated_fields`` lists what an update changed."""

    spec: ObjectSpec
    action: str
    record: dict[str, Any]
    updated_fields: list[str] | None = None


class ChangeSink(Protocol):
    """Receives every change inside the writing transaction (the webhook outbox does)."""

    def record_changes(self, session: Session, changes: list[RecordChange]) -> None: ...


def _parse_id(record_id: str) -> str:
    try:
        return str(uuid.UUID(record_id))
    except ValueError:
        raise BadRequest(f"'{record_id}' is not a valid UUID") from None


class RecordStore:
    """Reads and writes the records of one workspace, validated against its catalog."""

    def __init__(self, session: Session, catalog: Catalog, sink: ChangeSink | None = None) -> None:
        self.session = session
        self.catalog = catalog
        self.sink = sink
        self.dialect = session.get_bind().dialect.name

    def _emit(
        self,
        spec: ObjectSpec,
        action: str,
        records: list[dict[str, Any]],
        updated_fields: list[str] | None = None,
    ) -> None:
        if self.sink is not None and records:
            changes = [RecordChange(spec, action, record, updated_fields) for record in records]
            self.sink.record_changes(self.session, changes)

    # reads

    def list(self, spec: ObjectSpec, query: ListQuery) -> Page:
        if query.after and query.before:
            raise BadRequest("pass either starting_after or ending_before, not both")
        scope = [Record.object_id == spec.id, Record.workspace_id == spec.workspace_id]
        if query.filter is not None:
            scope.append(filter_clause(spec, query.filter, self.dialect))
        if query.filter is None or not mentions_field(query.filter, "deletedAt"):
            scope.append(Record.deleted_at.is_(None))

        keys = sort_keys(spec, list(query.order_by or DEFAULT_ORDER), self.dialect)
        backwards = query.before is not None or query.from_end
        walk = [key.reversed() for key in keys] if backwards else keys
        conditions = list(scope)
        cursor = query.before or query.after
        if cursor:
            conditions.append(keyset_clause(walk, decode_cursor(cursor, keys)))

        statement = (
            select(Record, *(key.operand.expression for key in keys))
            .where(*conditions)
            .order_by(*(key.order_clause() for key in walk))
            .limit(query.limit + 1)
        )
        rows = self.session.exec(statement).all()
        more = len(rows) > query.limit
        rows = list(rows[: query.limit])
        if backwards:
            rows.reverse()
        total = self.session.exec(select(sa.func.count()).select_from(Record).where(*scope)).one()
        return Page(
            records=[record_output(spec, row[0]) for row in rows],
            total_count=total,
            has_next_page=more if not backwards else query.before is not None,
            has_previous_page=more if backwards else cursor is not None,
            cursors=[encode_cursor(list(row[1:])) for row in rows],
        )

    def get(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        return record_output(spec, self._row(spec, record_id))

    def find(self, spec: ObjectSpec, record_id: str) -> dict[str, Any] | None:
        """The record, or None when it does not exist (a dangling relation)."""
        try:
            return self.get(spec, record_id)
        except NotFound:
            return None

    def _row(self, spec: ObjectSpec, record_id: str, *, for_update: bool = False) -> Record:
        statement = select(Record).where(
            Record.id == _parse_id(record_id),
            Record.object_id == spec.id,
            Record.workspace_id == spec.workspace_id,
        )
        if for_update:
            statement = statement.with_for_update()
        row = self.session.exec(statement).first()
        if row is None:
            raise NotFound(f"{spec.label_singular} with id {record_id} not found")
        return row

    # writes

    def create_many(self, spec: ObjectSpec, items: list[Any]) -> list[dict[str, Any]]:
        """Create every item or none: all are validated before anything is written."""
        if not isinstance(items, list) or not items:
            raise BadRequest("body: expected a non-empty JSON array of records")
        many = len(items) > 1
        for index, item in enumerate(items):
            validate_record(spec, item, for_create=True, where=f"[{index}] " if many else "")
        self._check_relations(spec, items)
        ids = [_parse_id(item["id"]) if "id" in item else str(uuid.uuid4()) for item in items]
        if len(set(ids)) != len(ids) or self._existing_ids(ids):
            raise BadRequest("id: a record with this id already exists")
        now = utcnow()
        base_position = time.time()
        rows = [
            Record(
                id=record_id,
                workspace_id=spec.workspace_id,
                object_id=spec.id,
                data=new_document(spec, item),
                position=item.get("position", base_position + index * 1e-6),
                created_at=now,
                updated_at=now,
            )
            for index, (record_id, item) in enumerate(zip(ids, items, strict=True))
        ]
        self.session.add_all(rows)
        self.session.flush()
        records = [record_output(spec, row) for row in rows]
        self._emit(spec, "created", records)
        return records

    def create(self, spec: ObjectSpec, item: Any) -> dict[str, Any]:
        return self.create_many(spec, [item])[0]

    def update(self, spec: ObjectSpec, record_id: str, patch: Any) -> dict[str, Any]:
        validate_record(spec, patch, for_create=False)
        self._check_relations(spec, [patch])
        row = self._row(spec, record_id, for_update=True)
        if row.deleted_at is not None:
            raise NotFound(
                f"{spec.label_singular} with id {record_id} is deleted; restore it first"
            )
        before = record_output(spec, row)
        row.data = updated_document(spec, row.data or {}, patch)
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()
        after = record_output(spec, row)
        changed = [key for key in changed_fields(before, after) if key != "updatedAt"]
        if changed:
            self._emit(spec, "updated", [after], updated_fields=changed)
        return after

    def soft_delete(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        if row.deleted_at is None:
            row.deleted_at = utcnow()
            self.session.add(row)
            self.session.flush()
            self._emit(spec, "deleted", [record_output(spec, row)])
        return record_output(spec, row)

    def restore(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        if row.deleted_at is not None:
            row.deleted_at = None
            self.session.add(row)
            self.session.flush()
            self._emit(spec, "restored", [record_output(spec, row)])
        return record_output(spec, row)

    def destroy(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        output = record_output(spec, row)
        self.session.delete(row)
        self.session.flush()
        self._emit(spec, "destroyed", [output])
        return output

    # helpers

    def _existing_ids(self, ids: list[str]) -> bool:
        statement = select(Record.id).where(Record.id.in_(ids))
        return self.session.exec(statement).first() is not None

    def _check_relations(self, spec: ObjectSpec, items: list[dict[str, Any]]) -> None:
        """Every relation id must name a record of the target object in this workspace."""
        for relation in (f for f in spec.data_fields if f.type is FieldType.RELATION):
            wanted = {
                item[relation.storage_name].lower()
                for item in items
                if item.get(relation.storage_name)
            }
            if not wanted:
                continue
            target = self.catalog.object_by_singular(relation.relation_target or "")
            found: set[str] = set()
            if target is not None:
                found = set(
                    self.session.exec(
                        select(Record.id).where(
                            Record.id.in_(wanted),
                            Record.object_id == target.id,
                            Record.workspace_id == spec.workspace_id,
                        )
                    ).all()
                )
            missing = sorted(wanted - found)
            if missing:
                raise BadRequest(
                    f"field '{relation.storage_name}': no {relation.relation_target} with id "
                    f"{', '.join(missing)} in this workspace"
                )
