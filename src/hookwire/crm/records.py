"""The records service: every read and write of records, shared by REST and GraphQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from hookwire.crm.actors import SYSTEM, Actor
from hookwire.crm.catalog import Catalog, FieldSpec, ObjectSpec
from hookwire.crm.counts import Count, count_column, count_matches, settled
from hookwire.crm.documents import (
    changed_fields,
    iso_timestamp,
    new_document,
    record_output,
    updated_document,
)
from hookwire.crm.duplicates import duplicates_filter
from hookwire.crm.filters import (
    Comparator,
    Condition,
    Direction,
    FilterNode,
    OrderKey,
    has_condition,
    mentions_field,
)
from hookwire.crm.merging import merged_fields
from hookwire.crm.query import (
    decode_cursor,
    encode_cursor,
    filter_clause,
    keyset_clause,
    sort_keys,
)
from hookwire.crm.relation_inputs import resolve_relation_inputs
from hookwire.crm.search import drop_records, index_records
from hookwire.crm.unique_keys import (
    UniqueScope,
    claim,
    reclaim,
    release,
    unique_path,
    unique_value,
)
from hookwire.crm.validation import validate_record
from hookwire.crm.versions import IfMatch
from hookwire.errors import BadRequest, Conflict, NotFound
from hookwire.models import Record, utcnow

RECORDS = Record.__table__
_ONE_RECORD = sa.select(
    RECORDS.c.id, RECORDS.c.data, RECORDS.c.position,
    RECORDS.c.created_at, RECORDS.c.updated_at, RECORDS.c.deleted_at,
).where(
    RECORDS.c.id == sa.bindparam("id"),
    RECORDS.c.object_id == sa.bindparam("object_id"),
    RECORDS.c.workspace_id == sa.bindparam("workspace_id"),
)  # fmt: skip

DEFAULT_LIMIT = 60
MAX_LIMIT = 200
# Records one filtered update, delete, destroy or restore may change (Twenty's QUERY_MAX_RECORDS).
MAX_BULK = MAX_LIMIT
MAX_MERGE = 10
DEFAULT_ORDER = (OrderKey("position", Direction.ASC_NULLS_FIRST),)
# Fields the server changes on every write: an update that changes nothing else changes nothing.
_BOOKKEEPING = frozenset({"updatedAt", "updatedBy"})
# What a list reads of each row: plain columns, not ORM objects, whose construction and
# identity-map bookkeeping were a quarter of a list's time (record_output reads either).
_LIST_COLUMNS = (
    Record.id,
    Record.data,
    Record.position,
    Record.created_at,
    Record.updated_at,
    Record.deleted_at,
)


@dataclass(frozen=True)
class ListQuery:
    filter: FilterNode | None = None
    order_by: tuple[OrderKey, ...] = ()
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    before: str | None = None
    from_end: bool = False  # GraphQL `last` without `before`: the final page
    offset: int = 0
    count: Count = Count.BOUNDED  # how the page's total_count is computed


@dataclass
class Page:
    records: list[dict[str, Any]]
    total_count: int | None  # None when the query asked for no count
    has_next_page: bool
    has_previous_page: bool
    sort_values: list[Sequence[Any]] = field(default_factory=list)  # each record's cursor values

    @property
    def cursors(self) -> list[str]:
        """Every record's cursor (encoded on demand: REST shows only the first and last)."""
        return [encode_cursor(values) for values in self.sort_values]

    @property
    def start_cursor(self) -> str | None:
        return encode_cursor(self.sort_values[0]) if self.sort_values else None

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.sort_values[-1]) if self.sort_values else None


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


class NewRecord(NamedTuple):
    """A record this transaction inserts, as ``record_output`` reads it."""

    id: str
    data: dict[str, Any]
    position: float
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None


def parse_id(record_id: Any, what: str = "id") -> str:
    try:
        return str(uuid.UUID(str(record_id)))
    except ValueError:
        raise BadRequest(f"{what}: '{record_id}' is not a valid UUID") from None


class RecordStore:
    """Reads and writes the records of one workspace, validated against its catalog.

    Every write records who made it (``actor``), keeps unique fields and the search index in
    step, and reports one change per record to ``sink`` in the same transaction.

    Concurrent writers never lose each other's changes: a record is changed only after it is
    locked and read again (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the write
    transaction holds the database's write lock from its first statement, see
    ``hookwire.database``), so a read-modify-write sees every committed write before it, and
    a record destroyed meanwhile is a 404, never a write to a row that is gone.
    """

    def __init__(
        self,
        session: Session,
        catalog: Catalog,
        sink: ChangeSink | None = None,
        actor: Actor = SYSTEM,
        max_batch: int | None = None,  # records one create_many may take (None: no limit)
    ) -> None:
        self.session = session
        self.catalog = catalog
        self.sink = sink
        self.actor = actor
        self.max_batch = max_batch
        self.dialect = session.get_bind().dialect.name
        self._locked: set[str] = set()  # ids of the rows this transaction has locked

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

    def _index(self, spec: ObjectSpec, records: list[dict[str, Any]]) -> None:
        if records:
            index_records(self.session, spec, records)

    # reads

    def conditions(
        self, spec: ObjectSpec, node: FilterNode | None, *, deleted: bool | None = False
    ) -> list[sa.ColumnElement]:
        """The conditions selecting ``spec``'s records matching ``node``. ``deleted``: False
        for live records only (unless the filter names ``deletedAt``), True for soft-deleted
        ones only, None for both."""
        scope = [Record.object_id == spec.id, Record.workspace_id == spec.workspace_id]
        if node is not None:
            scope.append(filter_clause(spec, node, self.dialect))
        if deleted is True:
            scope.append(Record.deleted_at.is_not(None))
        elif deleted is False and (node is None or not mentions_field(node, "deletedAt")):
            scope.append(Record.deleted_at.is_(None))
        return scope

    def list(self, spec: ObjectSpec, query: ListQuery) -> Page:
        if query.after and query.before:
            raise BadRequest("pass either starting_after or ending_before, not both")
        if query.offset < 0:
            raise BadRequest(f"offset: expected 0 or more, got {query.offset}")
        scope = self.conditions(spec, query.filter)
        keys = sort_keys(spec, list(query.order_by or DEFAULT_ORDER), self.dialect)
        backwards = query.before is not None or query.from_end
        walk = [key.reversed() for key in keys] if backwards else keys
        conditions = list(scope)
        cursor = query.before or query.after
        if cursor:
            conditions.append(keyset_clause(walk, decode_cursor(cursor, keys)))

        counted = count_column(scope, query.count)
        statement = (
            sa.select(
                *_LIST_COLUMNS,
                *(key.operand.expression for key in keys),
                *([counted] if counted is not None else []),
            )
            .where(*conditions)
            .order_by(*(key.order_clause() for key in walk))
            .offset(query.offset or None)
            .limit(query.limit + 1)
        )
        rows = self.session.execute(statement).all()
        more = len(rows) > query.limit  # the extra row: hasNextPage needs no count
        total = self._total(scope, query, rows, counted is not None)
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        keys_at = slice(len(_LIST_COLUMNS), len(_LIST_COLUMNS) + len(keys))
        return Page(
            records=[record_output(spec, row) for row in rows],
            total_count=total,
            # As Twenty: a forward page has a previous one only when it starts after a cursor
            # (an offset alone does not count), a backward page a next one only before one.
            has_next_page=more if not backwards else query.before is not None,
            has_previous_page=more if backwards else cursor is not None,
            sort_values=[row[keys_at] for row in rows],
        )

    def _total(
        self, scope: list[sa.ColumnElement], query: ListQuery, rows: Sequence[Any], counted: bool
    ) -> int | None:
        """The page's ``totalCount``: read beside its rows; with none to read it from, 0 for
        the first page, else counted on its own."""
        if not counted:
            return None
        if not rows:
            starts = not (query.after or query.before or query.offset)
            return 0 if starts else count_matches(self.session, scope, query.count)
        total = rows[0][-1]
        return total if query.count is Count.EXACT else settled(self.session, scope, total)

    def get(self, spec: ObjectSpec, record_id: str) -> dict[str, Any]:
        row = self._stored(spec, record_id)
        if row is None:
            raise NotFound(f"{spec.label_singular} with id {record_id} not found")
        return record_output(spec, row)

    def find(self, spec: ObjectSpec, record_id: str) -> dict[str, Any] | None:
        """The live record a relation points to, or None when it does not exist or is
        soft-deleted (as lists leave it out)."""
        row = self._stored(spec, record_id)
        return record_output(spec, row) if row is not None and row.deleted_at is None else None

    def _stored(self, spec: ObjectSpec, record_id: str) -> sa.Row | None:
        """A record's columns for reading (no ORM object: a statement built once, a plain
        row), or None."""
        key = {"id": parse_id(record_id), "object_id": spec.id, "workspace_id": spec.workspace_id}
        return self.session.execute(_ONE_RECORD, key).first()

    def _row(self, spec: ObjectSpec, record_id: str, *, for_update: bool = False) -> Record:
        statement = select(Record).where(
            Record.id == parse_id(record_id),
            Record.object_id == spec.id,
            Record.workspace_id == spec.workspace_id,
        )
        if for_update:
            statement = statement.with_for_update()
        row = self.session.exec(statement).first()
        if row is None:
            raise NotFound(f"{spec.label_singular} with id {record_id} not found")
        if for_update:
            self._locked.add(row.id)
        return row

    def _lock(self, spec: ObjectSpec, row: Record) -> Record:
        """``row`` locked for this transaction and as it is now: read again ``FOR UPDATE``
        unless this transaction locked it already; 404 if it is gone."""
        if row.id in self._locked:
            return row
        statement = (
            select(Record)
            .where(
                Record.id == row.id,
                Record.object_id == row.object_id,
                Record.workspace_id == row.workspace_id,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        locked = self.session.exec(statement).first()
        if locked is None:
            raise NotFound(f"{spec.label_singular} with id {row.id} not found")
        self._locked.add(locked.id)
        return locked

    def _flush(self, spec: ObjectSpec) -> None:
        """Flush; a row that vanished under a write (which locking first prevents) is a 409,
        not a 500."""
        try:
            self.session.flush()
        except StaleDataError:
            raise Conflict(
                f"{spec.label_singular}: another request changed or deleted this record at "
                "the same time; fetch it again and retry"
            ) from None

    def _rows(
        self, spec: ObjectSpec, node: FilterNode, *, deleted: bool | None, what: str
    ) -> list[Record]:
        """The rows a filtered bulk change applies to, locked; at most ``MAX_BULK``."""
        if not has_condition(node):
            raise BadRequest(
                f"filter: required and not empty; to {what} every "
                f"{spec.label_singular.lower()}, say so (e.g. {{id: {{is: NOT_NULL}}}})"
            )
        statement = (
            select(Record)
            .where(*self.conditions(spec, node, deleted=deleted))
            .order_by(Record.position, Record.id)
            .limit(MAX_BULK + 1)
            .with_for_update()
        )
        rows = list(self.session.exec(statement).all())
        if len(rows) > MAX_BULK:
            raise BadRequest(
                f"filter: more than {MAX_BULK} {spec.label_plural.lower()} match; {what} at most "
                f"{MAX_BULK} at once, so narrow the filter"
            )
        self._locked.update(row.id for row in rows)
        return rows

    # creates

    def create_many(
        self, spec: ObjectSpec, items: list[Any], *, upsert: bool = False
    ) -> list[dict[str, Any]]:
        """Create every item or none: all are validated before anything is written. With
        ``upsert``, an item matching a record by id or by a unique field updates it instead
        (restoring it if it was soft-deleted)."""
        if not isinstance(items, list) or not items:
            raise BadRequest("body: expected a non-empty JSON array of records")
        if self.max_batch is not None and len(items) > self.max_batch:
            raise BadRequest(
                f"body: {len(items):,} records in one batch; the limit is {self.max_batch:,} "
                "(HOOKWIRE_MAX_BATCH)"
            )
        many = len(items) > 1
        items = [
            resolve_relation_inputs(
                self.session, self.catalog, spec, item, f"[{index}]." if many else ""
            )
            for index, item in enumerate(items)
        ]
        for index, item in enumerate(items):
            validate_record(spec, item, for_create=True, where=f"[{index}] " if many else "")
        items = self._checked_relations(spec, items)
        matches = self._upsert_matches(spec, items) if upsert else [None] * len(items)
        fresh = [(i, item) for i, (item, match) in enumerate(zip(items, matches, strict=True))
                 if match is None]  # fmt: skip
        created = self._insert(spec, [item for _, item in fresh])
        results: list[dict[str, Any] | None] = [None] * len(items)
        for (index, _), record in zip(fresh, created, strict=True):
            results[index] = record
        for index, (item, match) in enumerate(zip(items, matches, strict=True)):
            if match is not None:
                patch = {k: v for k, v in item.items() if k not in ("id", "createdBy")}
                results[index] = self._apply_update(spec, match, patch, restore=True)
        return [record for record in results if record is not None]

    def create(self, spec: ObjectSpec, item: Any, *, upsert: bool = False) -> dict[str, Any]:
        return self.create_many(spec, [item], upsert=upsert)[0]

    def _insert(self, spec: ObjectSpec, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not items:
            return []
        # An id left out or null: the server makes one.
        given = [parse_id(item["id"]) for item in items if item.get("id") is not None]
        if len(set(given)) != len(given) or self._existing_ids(spec, given):
            # Only this workspace's records are looked at: ids are per workspace.
            raise BadRequest("id: a record with this id already exists")
        ids = [
            parse_id(item["id"]) if item.get("id") is not None else str(uuid.uuid4())
            for item in items
        ]
        now = utcnow()
        base_position = time.time()
        rows = [
            NewRecord(
                id=record_id,
                data=new_document(spec, item, self.actor),
                position=item.get("position", base_position + index * 1e-6),
                created_at=now,
                updated_at=now,
            )
            for index, (record_id, item) in enumerate(zip(ids, items, strict=True))
        ]
        # One multi-row INSERT rather than the unit of work (a third of a create's CPU);
        # pending ORM changes go first, as the unit of work would have ordered them.
        self.session.flush()
        scope = {"workspace_id": spec.workspace_id, "object_id": spec.id}
        self.session.execute(RECORDS.insert(), [{**row._asdict(), **scope} for row in rows])
        if spec.unique_fields:
            claim(self.session, UniqueScope.of(spec), {row.id: row.data for row in rows})
        records = [record_output(spec, row) for row in rows]
        self._index(spec, records)
        self._emit(spec, "created", records)
        return records

    def _upsert_matches(self, spec: ObjectSpec, items: list[dict[str, Any]]) -> list[Record | None]:
        """For each item, the existing record (live or soft-deleted) it matches by id or by a
        unique field value, or None."""
        matches: list[Record | None] = []
        for index, item in enumerate(items):
            found: dict[str, Record] = {}
            if item.get("id") is not None:
                key = {"workspace_id": spec.workspace_id, "id": parse_id(item["id"])}
                row = self.session.get(Record, key)
                if row is not None and row.object_id == spec.id:
                    found[row.id] = row
            document = new_document(spec, item, SYSTEM)
            for unique in spec.unique_fields:
                for row in self._holding(spec, unique, document):
                    found[row.id] = row
            if len(found) > 1:
                raise BadRequest(
                    f"[{index}]: matches several records by id or unique fields "
                    f"({', '.join(sorted(found))}); cannot tell which one to update"
                )
            matches.append(next(iter(found.values()), None))
        return matches

    def _holding(
        self, spec: ObjectSpec, unique: FieldSpec, document: dict[str, Any]
    ) -> list[Record]:
        """Records, soft-deleted ones included, whose unique field equals ``document``'s."""
        if unique_value(unique, document) is None:
            return []
        path = unique_path(unique)
        value: Any = document
        for part in path.split("."):
            value = value[part]
        condition = Condition(path, Comparator.EQ, value)
        statement = select(Record).where(*self.conditions(spec, condition, deleted=None)).limit(2)
        return list(self.session.exec(statement).all())

    # updates

    def update(
        self, spec: ObjectSpec, record_id: str, patch: Any, *, if_match: IfMatch | None = None
    ) -> dict[str, Any]:
        """Change the fields in ``patch``; with ``if_match``, only if the record is still the
        version it names (else 412)."""
        record_id = parse_id(record_id)
        patch = self._checked_patch(spec, patch, record_id)
        row = self._row(spec, record_id, for_update=True)
        if row.deleted_at is not None:
            raise NotFound(
                f"{spec.label_singular} with id {record_id} is deleted; restore it first"
            )
        self._check_version(spec, row, if_match)
        return self._apply_update(spec, row, patch)

    def _check_version(self, spec: ObjectSpec, row: Record, if_match: IfMatch | None) -> None:
        if if_match is not None:
            if_match.check(spec.label_singular.lower(), record_output(spec, row))

    def update_many(self, spec: ObjectSpec, node: FilterNode, patch: Any) -> list[dict[str, Any]]:
        """Apply ``patch`` to every live record matching ``node``, in one transaction."""
        patch = self._checked_patch(spec, patch, None)
        rows = self._rows(spec, node, deleted=False, what="update")
        return [self._apply_update(spec, row, patch) for row in rows]

    def _checked_patch(self, spec: ObjectSpec, patch: Any, record_id: str | None) -> dict:
        if isinstance(patch, dict) and "id" in patch:
            if record_id is None:
                raise BadRequest("id: not allowed in a filtered update")
            if parse_id(patch["id"]) != record_id:
                raise BadRequest(f"id: must be the record's id ({record_id}), got {patch['id']!r}")
            patch = {k: v for k, v in patch.items() if k != "id"}
        patch = resolve_relation_inputs(self.session, self.catalog, spec, patch)
        validate_record(spec, patch, for_create=False)
        return self._checked_relations(spec, [patch])[0]

    def _apply_update(
        self, spec: ObjectSpec, row: Record, patch: dict[str, Any], *, restore: bool = False
    ) -> dict[str, Any]:
        row = self._lock(spec, row)
        before = record_output(spec, row)
        if "position" in patch:
            patch = dict(patch)
            row.position = patch.pop("position")
        document = updated_document(spec, row.data or {}, patch, self.actor)
        if spec.unique_fields:
            scope = UniqueScope.of(spec)
            if row.deleted_at is None:
                reclaim(self.session, scope, row.id, row.data or {}, document)
            else:
                claim(self.session, scope, {row.id: document})
        row.data = document
        if restore:
            row.deleted_at = None
        row.updated_at = utcnow()
        self.session.add(row)
        self._flush(spec)
        after = record_output(spec, row)
        changed = [key for key in changed_fields(before, after) if key not in _BOOKKEEPING]
        if changed:
            self._index(spec, [after])
            self._emit(spec, "updated", [after], updated_fields=changed)
        return after

    # deletes and restores

    def soft_delete(
        self, spec: ObjectSpec, record_id: str, *, if_match: IfMatch | None = None
    ) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        self._check_version(spec, row, if_match)
        return self._soft_delete(spec, [row])[0]

    def soft_delete_many(self, spec: ObjectSpec, node: FilterNode) -> list[dict[str, Any]]:
        return self._soft_delete(spec, self._rows(spec, node, deleted=False, what="delete"))

    def _soft_delete(self, spec: ObjectSpec, rows: list[Record]) -> list[dict[str, Any]]:
        now = utcnow()
        changed = [row for row in rows if row.deleted_at is None]
        for row in changed:
            row.deleted_at = now
            self.session.add(row)
        self._flush(spec)
        release(self.session, spec.workspace_id, [row.id for row in changed])
        self._emit(spec, "deleted", [record_output(spec, row) for row in changed])
        return [record_output(spec, row) for row in rows]

    def restore(
        self, spec: ObjectSpec, record_id: str, *, if_match: IfMatch | None = None
    ) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        self._check_version(spec, row, if_match)
        return self._restore(spec, [row])[0]

    def restore_many(self, spec: ObjectSpec, node: FilterNode) -> list[dict[str, Any]]:
        return self._restore(spec, self._rows(spec, node, deleted=True, what="restore"))

    def _restore(self, spec: ObjectSpec, rows: list[Record]) -> list[dict[str, Any]]:
        changed = [row for row in rows if row.deleted_at is not None]
        if spec.unique_fields:
            claim(self.session, UniqueScope.of(spec), {row.id: row.data or {} for row in changed})
        for row in changed:
            row.deleted_at = None
            self.session.add(row)
        self._flush(spec)
        self._emit(spec, "restored", [record_output(spec, row) for row in changed])
        return [record_output(spec, row) for row in rows]

    def destroy(
        self, spec: ObjectSpec, record_id: str, *, if_match: IfMatch | None = None
    ) -> dict[str, Any]:
        row = self._row(spec, record_id, for_update=True)
        self._check_version(spec, row, if_match)
        return self._destroy(spec, [row])[0]

    def destroy_many(self, spec: ObjectSpec, node: FilterNode) -> list[dict[str, Any]]:
        return self._destroy(spec, self._rows(spec, node, deleted=None, what="destroy"))

    def matching(self, spec: ObjectSpec, name: str, values: Sequence[str]) -> list[dict[str, Any]]:
        """Every record whose field ``name`` is one of ``values``, however many (read in pages of
        ``MAX_LIMIT``, the values ``MAX_LIMIT`` at a time). For the server's own lookups."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(values), MAX_LIMIT):
            chunk = list(values[start : start + MAX_LIMIT])
            query = ListQuery(
                filter=Condition(name, Comparator.IN, chunk), limit=MAX_LIMIT, count=Count.NONE
            )
            while True:
                page = self.list(spec, query)
                found += page.records
                if not page.has_next_page:
                    break
                query = replace(query, after=page.end_cursor)
        return found

    def destroy_all(self, spec: ObjectSpec, node: FilterNode) -> int:
        """Destroy every record ``node`` matches, ``MAX_BULK`` at a time; how many. For the
        server's own cleanups: the API's filtered destroys stay capped at ``MAX_BULK``."""
        destroyed = 0
        while True:
            statement = (
                select(Record)
                .where(*self.conditions(spec, node, deleted=None))
                .order_by(Record.id)
                .limit(MAX_BULK)
                .with_for_update()
            )
            rows = list(self.session.exec(statement).all())
            if not rows:
                return destroyed
            self._locked.update(row.id for row in rows)
            destroyed += len(self._destroy(spec, rows))

    def _destroy(self, spec: ObjectSpec, rows: list[Record]) -> list[dict[str, Any]]:
        outputs = [record_output(spec, row) for row in rows]
        ids = [row.id for row in rows]
        release(self.session, spec.workspace_id, ids)
        drop_records(self.session, spec.workspace_id, ids)
        for row in rows:
            self.session.delete(row)
        self._flush(spec)
        self._emit(spec, "destroyed", outputs)
        return outputs

    # duplicates and merges

    def duplicates(
        self, spec: ObjectSpec, *, ids: list[Any] | None = None, data: list[Any] | None = None
    ) -> list[Page]:
        """For each record (by id) or would-be record (``data``), the live records that its
        object's duplicate criteria say are duplicates of it, a page each."""
        if (ids is None) == (data is None):
            raise BadRequest("ids, data: pass either ids or data, not both and not neither")
        if not (ids or data):
            raise BadRequest(f"{'ids' if ids is not None else 'data'}: expected a non-empty list")
        if ids is not None:
            probes = [self.get(spec, record_id) for record_id in ids]
        else:
            probes = []
            for index, item in enumerate(data or ()):
                item = resolve_relation_inputs(
                    self.session, self.catalog, spec, item, f"data[{index}]."
                )
                validate_record(spec, item, for_create=True, where=f"data[{index}] ")
                probe = record_output(spec, Record(data=new_document(spec, item, SYSTEM)))
                probes.append({**probe, "id": item.get("id")})
        pages = []
        for probe in probes:
            node = duplicates_filter(spec, probe)
            pages.append(
                self.list(spec, ListQuery(filter=node, limit=MAX_LIMIT))
                if node is not None
                else Page([], 0, False, False)
            )
        return pages

    def merge(
        self, spec: ObjectSpec, ids: list[Any], priority: int, *, dry_run: bool = False
    ) -> dict[str, Any]:
        """Merge the records ``ids`` into ``ids[priority]``: its values win, lists combine,
        records pointing at the others point at it; the others are destroyed. ``dry_run``
        shows the result (with a new id) and writes nothing."""
        if not spec.duplicate_criteria:
            raise BadRequest(
                f"{spec.name_plural}: merging needs duplicate criteria, and this object has none"
            )
        ids = list(dict.fromkeys(parse_id(record_id, "ids") for record_id in ids))
        if not 2 <= len(ids) <= MAX_MERGE:
            raise BadRequest(f"ids: expected 2 to {MAX_MERGE} distinct record ids, got {len(ids)}")
        if not 0 <= priority < len(ids):
            raise BadRequest(
                f"conflictPriorityIndex: expected 0 to {len(ids) - 1} (an index into ids), "
                f"got {priority}"
            )
        # Values combine in the order of ``ids``, as Twenty merges them.
        rows = [self._row(spec, record_id, for_update=not dry_run) for record_id in ids]
        deleted = [row.id for row in rows if row.deleted_at is not None]
        if deleted:
            raise NotFound(
                f"{spec.label_singular} with id {deleted[0]} is deleted; restore it first"
            )
        records = [record_output(spec, row) for row in rows]
        merged = merged_fields(spec, records, priority)
        if dry_run:
            return {
                **records[priority],
                **merged,
                "id": str(uuid.uuid4()),
                "deletedAt": iso_timestamp(utcnow()),
            }
        keeper = rows[priority]
        others = [row for row in rows if row is not keeper]
        self._repoint(spec, [row.id for row in others], keeper.id)
        self._destroy(spec, others)
        return self._apply_update(spec, keeper, merged)

    def _repoint(self, spec: ObjectSpec, old_ids: list[str], new_id: str) -> None:
        """Make every record whose relation points at ``old_ids`` point at ``new_id``."""
        for source in self.catalog.objects:
            for column in (c for f in source.data_fields for c in f.join_columns):
                if column.target != spec.name_singular:
                    continue
                pointing = Condition(column.key, Comparator.IN, old_ids)
                statement = select(Record).where(*self.conditions(source, pointing, deleted=None))
                for row in self.session.exec(statement.with_for_update()).all():
                    self._locked.add(row.id)
                    self._apply_update(source, row, {column.key: new_id})

    # helpers

    def _existing_ids(self, spec: ObjectSpec, ids: list[str]) -> bool:
        """Whether any of ``ids`` is taken in ``spec``'s workspace (by a record of any of its
        objects: the key is ``(workspace_id, id)``); other workspaces are never looked at."""
        if not ids:
            return False
        statement = select(Record.id).where(
            Record.workspace_id == spec.workspace_id, Record.id.in_(ids)
        )
        return self.session.exec(statement).first() is not None

    def _checked_relations(
        self, spec: ObjectSpec, items: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``items`` with their relation ids in canonical (lower-case) form, each naming a
        record of the target object in this workspace."""
        columns = [c for f in spec.data_fields for c in f.join_columns]
        items = [
            {**item, **{c.key: parse_id(item[c.key], c.key) for c in columns if item.get(c.key)}}
            for item in items
        ]
        for column in columns:
            wanted = {item[column.key] for item in items if item.get(column.key)}
            if not wanted:
                continue
            target = self.catalog.object_by_singular(column.target)
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
                    f"field '{column.key}': no {column.target} with id "
                    f"{', '.join(missing)} in this workspace"
                )
        return items
