"""Grouping records with aggregates per group, as Twenty's ``groupBy`` does (GraphQL and REST).

Dimensions are written as Twenty writes them, one field per item: ``{"city": true}``,
``{"name": {"lastName": true}}``, ``{"companyId": true}``,
``{"createdAt": {"granularity": "MONTH", "timeZone": "Europe/Paris"}}``. Groups are ordered by
``[{"city": "AscNullsFirst"}, {"aggregate": {"sumEmployees": "DescNullsLast"}},
{"createdAt": {"orderBy": "DescNullsLast", "granularity": "MONTH"}}]``, then by the remaining
dimensions. One query computes the groups and their aggregates; a second, only when asked,
samples each group's first records (a window over the same groups).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from hookwire.crm.aggregates import Aggregate
from hookwire.crm.aggregates import resolve as resolve_aggregates
from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.date_buckets import (
    ZONED,
    Granularity,
    TimeZone,
    WeekStart,
    bucket,
    register_functions,
)
from hookwire.crm.documents import iso_timestamp, plain_number, record_output
from hookwire.crm.field_types import RELATION_TYPES, FieldType, ValueKind, is_composite, subfields
from hookwire.crm.filters import Direction, FilterNode, OrderKey
from hookwire.crm.query import Operand, operand, sort_keys
from hookwire.crm.records import DEFAULT_ORDER, MAX_LIMIT, Page, RecordStore
from hookwire.errors import BadRequest
from hookwire.models import Record

DEFAULT_GROUP_LIMIT = 50  # Twenty's DEFAULT_NUMBER_OF_GROUPS_LIMIT
MAX_GROUP_LIMIT = MAX_LIMIT
RECORDS_PER_GROUP = 10  # Twenty's RECORDS_PER_GROUP_LIMIT
_DATE_TYPES = frozenset({FieldType.DATE, FieldType.DATE_TIME})
_UTC = TimeZone(None)


def group_limit(limit: Any) -> int:
    """Twenty's rule: a positive integer is the number of groups, anything else the default;
    capped at the server maximum."""
    if isinstance(limit, int) and not isinstance(limit, bool) and limit > 0:
        return min(limit, MAX_GROUP_LIMIT)
    return DEFAULT_GROUP_LIMIT


@dataclass(frozen=True)
class Dimension:
    """What records are grouped by: a value (``name.lastName``), or a date's bucket."""

    path: str
    operand: Operand
    granularity: Granularity = Granularity.NONE
    is_date: bool = False
    zone: TimeZone = _UTC
    week_start: WeekStart = WeekStart.MONDAY

    def expression(self, dialect: str) -> sa.ColumnElement:
        return bucket(
            self.operand.expression,
            self.granularity,
            is_date=self.is_date,
            zone=self.zone,
            week_start=self.week_start,
            dialect=dialect,
        )

    def text(self, raw: Any) -> str | None:
        """A grouped value as Twenty shows it in ``groupByDimensionValues`` (null stays null)."""
        if raw is None:
            return None
        if self.operand.kind is ValueKind.BOOLEAN:
            return "true" if raw else "false"  # SQLite gives JSON booleans as 1 and 0
        if isinstance(raw, datetime):
            return iso_timestamp(raw)
        if isinstance(raw, Decimal):
            return format(raw.normalize(), "f")
        if isinstance(raw, float):
            return str(plain_number(raw))
        return str(raw)


@dataclass(frozen=True)
class GroupOrder:
    """Groups sorted by a dimension (its index) or by an aggregate."""

    direction: Direction
    dimension: int | None = None
    aggregate: Aggregate | None = None


@dataclass
class Group:
    dimension_values: list[str | None]
    count: int
    aggregates: dict[str, Any]
    key: tuple[Any, ...] = ()  # the raw grouped values, matched by the records sample
    sample: Page | None = None


# parsing (the same JSON shapes arrive from GraphQL arguments and REST parameters)


def _one_entry(item: Any, at: str, example: str) -> tuple[str, Any]:
    if not isinstance(item, dict) or len(item) != 1:
        raise BadRequest(
            f"{at}: expected an object with exactly one field, e.g. {example}, "
            f"got {json.dumps(item)}"
        )
    return next(iter(item.items()))


def _choice(kind: type[Any], raw: Any, at: str) -> Any:
    """``raw`` as a member of the enum ``kind``; None when absent."""
    if raw is None:
        return None
    try:
        return kind(raw)
    except ValueError:
        expected = ", ".join(member.value for member in kind)
        raise BadRequest(f"{at}: expected one of {expected}, got {json.dumps(raw)}") from None


def parse_dimensions(spec: ObjectSpec, items: Any, where: str, dialect: str) -> list[Dimension]:
    """``[{"city": true}, {"createdAt": {"granularity": "DAY", "timeZone": "UTC"}}]`` as
    dimensions; a field set to false or null is not grouped by."""
    if not isinstance(items, list):
        raise BadRequest(f'{where}: expected a list of objects such as [{{"city": true}}]')
    dimensions = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        name, value = _one_entry(item, at, '{"city": true}')
        if value is not None and value is not False:
            dimensions.append(_dimension(spec, name, value, f"{at}.{name}", dialect))
    return dimensions


def _groupable(spec: ObjectSpec, name: str, at: str) -> FieldSpec:
    field_spec = spec.field_named(name)
    if field_spec is None:
        raise BadRequest(f"{at}: field '{name}' does not exist on object '{spec.name_singular}'")
    if field_spec.to_many:
        raise BadRequest(
            f"{at}: field '{name}' lists the {field_spec.relation_target} records that point "
            f"here; group {field_spec.relation_target} records by '{field_spec.inverse_name}Id'"
        )
    if field_spec.type is FieldType.TS_VECTOR:
        raise BadRequest(f"{at}: field '{name}' is the full-text search vector; it has no groups")
    if field_spec.type in RELATION_TYPES and name not in field_spec.stored_keys:
        keys = " or ".join(f'{{"{key}": true}}' for key in field_spec.stored_keys)
        raise BadRequest(f"{at}: field '{name}' is a relation; group by its id with {keys}")
    return field_spec


def _path(field_spec: FieldSpec, name: str, value: Any, at: str) -> str:
    """``name``, or ``name.subfield`` for a composite field's ``{subfield: true}``."""
    if not is_composite(field_spec.type):
        return name
    names = [s.name for s in subfields(field_spec.type)]
    chosen = [sub for sub, on in value.items() if on] if isinstance(value, dict) else []
    if len(chosen) != 1 or chosen[0] not in names:
        raise BadRequest(
            f"{at}: field '{name}' is composite; expected {{\"<subfield>\": true}} for one of "
            f"{', '.join(names)}, got {json.dumps(value)}"
        )
    return f"{name}.{chosen[0]}"


def _dimension(spec: ObjectSpec, name: str, value: Any, at: str, dialect: str) -> Dimension:
    field_spec = _groupable(spec, name, at)
    path = _path(field_spec, name, value, at)
    target = operand(spec, path, dialect)
    if target.kind in (ValueKind.LIST, ValueKind.JSON):
        raise BadRequest(f"{at}: '{path}' holds a list or JSON; group by a single-valued field")
    if field_spec.type in _DATE_TYPES:
        return _date_dimension(path, target, field_spec.type is FieldType.DATE, value, at)
    if value is not True and not is_composite(field_spec.type):
        raise BadRequest(f"{at}: expected true, got {json.dumps(value)}")
    return Dimension(path, target)


def _date_dimension(path: str, target: Operand, is_date: bool, value: Any, at: str) -> Dimension:
    """``true`` (the value itself) or ``{granularity, weekStartDay, timeZone}``."""
    if value is True:
        return Dimension(path, target, is_date=is_date)
    if not isinstance(value, dict):
        raise BadRequest(
            f"{at}: expected true or {{granularity, weekStartDay, timeZone}}, "
            f"got {json.dumps(value)}"
        )
    unknown = sorted(set(value) - {"granularity", "weekStartDay", "timeZone"})
    if unknown:
        raise BadRequest(
            f"{at}: unknown key '{unknown[0]}'; expected granularity, weekStartDay, timeZone"
        )
    granularity = _choice(Granularity, value.get("granularity"), f"{at}.granularity")
    week_start = _choice(WeekStart, value.get("weekStartDay"), f"{at}.weekStartDay")
    zone = value.get("timeZone")
    if zone is not None and not isinstance(zone, str):
        raise BadRequest(f"{at}.timeZone: expected a string, got {json.dumps(zone)}")
    if granularity in ZONED and not zone and not is_date:
        # Twenty's rule: where a calendar day starts depends on the zone, so it must be said.
        raise BadRequest(
            f"{at}.timeZone: required for granularity {granularity}, e.g. UTC, Europe/Paris "
            "or +02:00"
        )
    return Dimension(
        path,
        target,
        granularity=granularity or Granularity.NONE,
        is_date=is_date,
        zone=TimeZone.parse(zone, f"{at}.timeZone") if zone else _UTC,
        week_start=week_start or WeekStart.MONDAY,
    )


def parse_group_order(
    spec: ObjectSpec, dimensions: list[Dimension], items: Any, where: str
) -> list[GroupOrder]:
    """``[{"city": "AscNullsFirst"}, {"name": {"lastName": "DescNullsLast"}},
    {"aggregate": {"sumEmployees": "DescNullsLast"}},
    {"createdAt": {"orderBy": "AscNullsFirst", "granularity": "DAY"}}]`` as group order."""
    if items is None:
        return []
    if not isinstance(items, list):
        raise BadRequest(
            f'{where}: expected a list of objects such as [{{"city": "AscNullsFirst"}}]'
        )
    orders: list[GroupOrder] = []
    for index, item in enumerate(items):
        at = f"{where}[{index}]"
        name, value = _one_entry(item, at, '{"city": "AscNullsFirst"}')
        if name == "aggregate":
            orders.extend(_aggregate_orders(spec, value, f"{at}.aggregate"))
        else:
            orders.extend(_dimension_orders(dimensions, name, value, f"{at}.{name}"))
    return orders


def _direction(raw: Any, at: str) -> Direction:
    direction = _choice(Direction, raw, at)
    if direction is None:
        raise BadRequest(f"{at}: expected a direction such as AscNullsFirst, got null")
    return direction


def _aggregate_orders(spec: ObjectSpec, value: Any, at: str) -> list[GroupOrder]:
    if not isinstance(value, dict) or not value:
        raise BadRequest(
            f'{at}: expected {{"<aggregate>": "<direction>"}}, '
            'e.g. {"totalCount": "DescNullsLast"}'
        )
    chosen = resolve_aggregates(spec, list(value), at)
    return [GroupOrder(_direction(value[a.name], f"{at}.{a.name}"), aggregate=a) for a in chosen]


def _dimension_orders(
    dimensions: list[Dimension], name: str, value: Any, at: str
) -> list[GroupOrder]:
    """``"AscNullsFirst"``; ``{subfield: direction, …}`` for a composite; ``{orderBy,
    granularity}`` for a date."""
    if isinstance(value, dict) and "orderBy" in value:
        granularity = _choice(Granularity, value.get("granularity"), f"{at}.granularity")
        targets = [(name, granularity, value["orderBy"])]
    elif isinstance(value, dict) and value:
        targets = [(f"{name}.{sub}", None, raw) for sub, raw in value.items()]
    else:
        targets = [(name, None, value)]
    return [_dimension_order(dimensions, *target, at) for target in targets]


def _dimension_order(
    dimensions: list[Dimension], path: str, granularity: Granularity | None, raw: Any, at: str
) -> GroupOrder:
    direction = _direction(raw, at)
    for index, dimension in enumerate(dimensions):
        if dimension.path == path and granularity in (None, dimension.granularity):
            return GroupOrder(direction, dimension=index)
    grouped = ", ".join(d.path for d in dimensions) or "nothing"
    raise BadRequest(
        f"{at}: groups can be ordered by their dimensions ({grouped}) or by an aggregate; "
        f"'{path}'{f' by {granularity}' if granularity else ''} is not a dimension"
    )


# querying


def _order_clause(expression: sa.ColumnElement, direction: Direction) -> sa.ColumnElement:
    clause = expression.asc() if direction.ascending else expression.desc()
    return clause.nulls_first() if direction.nulls_first else clause.nulls_last()


def group_by(
    store: RecordStore,
    spec: ObjectSpec,
    dimensions: list[Dimension],
    *,
    filter: FilterNode | None = None,
    order_by: Sequence[GroupOrder] = (),
    order_by_for_records: tuple[OrderKey, ...] = (),
    limit: int = DEFAULT_GROUP_LIMIT,
    aggregates: Sequence[Aggregate] = (),
    include_records: bool = False,
) -> list[Group]:
    """The groups of ``spec``'s live records matching ``filter``: at most ``limit``, each with
    its dimension values, size, ``aggregates`` and, with ``include_records``, a sample of its
    first records in ``order_by_for_records`` order."""
    dialect = store.dialect
    if dialect == "sqlite" and any(d.zone.name for d in dimensions):
        register_functions(store.session)
    scope = store.conditions(spec, filter)
    grouped = [d.expression(dialect) for d in dimensions]
    ordered = [
        _order_clause(
            grouped[o.dimension] if o.aggregate is None else o.aggregate.expression(spec, dialect),
            o.direction,
        )
        for o in order_by
    ]
    ordered_dimensions = {o.dimension for o in order_by}
    ordered += [
        _order_clause(e, Direction.ASC_NULLS_FIRST)
        for i, e in enumerate(grouped)
        if i not in ordered_dimensions
    ]
    # Inputs: the filtered scope, the dimension expressions, the aggregates, the group order.
    # Answer: one row per group (at most ``limit``): dimension values, size, aggregates.
    statement = (
        sa.select(
            *(e.label(f"d{i}") for i, e in enumerate(grouped)),
            sa.func.count().label("size"),
            *(a.expression(spec, dialect).label(f"a{i}") for i, a in enumerate(aggregates)),
        )
        .select_from(Record)
        .where(*scope)
        .group_by(*grouped)
        .order_by(*ordered)
        .limit(limit)
    )
    width = len(grouped)
    groups = [
        Group(
            dimension_values=[d.text(v) for d, v in zip(dimensions, row[:width], strict=True)],
            count=row.size,
            aggregates={
                a.name: a.output(v) for a, v in zip(aggregates, row[width + 1 :], strict=True)
            },
            key=tuple(row[:width]),
        )
        for row in store.session.execute(statement)
    ]
    if include_records and groups:
        _sample(store, spec, scope, grouped, groups, order_by_for_records)
    return groups


def _same(expression: sa.ColumnElement, value: Any) -> sa.ColumnElement:
    return expression.is_(None) if value is None else expression == value


def _sample(
    store: RecordStore,
    spec: ObjectSpec,
    scope: list[sa.ColumnElement],
    grouped: list[sa.ColumnElement],
    groups: list[Group],
    order_keys: tuple[OrderKey, ...],
) -> None:
    """Give each group a page of its first ``RECORDS_PER_GROUP`` records, in one query."""
    keys = sort_keys(spec, list(order_keys or DEFAULT_ORDER), store.dialect)
    conditions = list(scope)
    if grouped:
        conditions.append(sa.or_(*(sa.and_(*map(_same, grouped, group.key)) for group in groups)))
    rank = sa.func.row_number().over(
        partition_by=grouped or None, order_by=[key.order_clause() for key in keys]
    )
    ranked = (
        sa.select(
            Record,
            *(e.label(f"d{i}") for i, e in enumerate(grouped)),
            *(key.operand.expression.label(f"k{i}") for i, key in enumerate(keys)),
            rank.label("sample_rank"),
        )
        .where(*conditions)
        .subquery()
    )
    record = aliased(Record, ranked)
    dimension_columns = [ranked.c[f"d{i}"] for i in range(len(grouped))]
    key_columns = [ranked.c[f"k{i}"] for i in range(len(keys))]
    # Inputs: the filtered scope narrowed to the returned groups, the records' sort keys.
    # Answer: each group's first RECORDS_PER_GROUP + 1 records (one more tells whether there
    # are more), with their grouped values and sort-key values (for cursors), in order.
    statement = (
        sa.select(record, *dimension_columns, *key_columns)
        .where(ranked.c.sample_rank <= RECORDS_PER_GROUP + 1)
        .order_by(ranked.c.sample_rank)
    )
    rows_by_group: dict[tuple[Any, ...], list[Any]] = {}
    for row in store.session.execute(statement):
        rows_by_group.setdefault(tuple(row[1 : 1 + len(grouped)]), []).append(row)
    for group in groups:
        rows = rows_by_group.get(group.key, [])
        shown = rows[:RECORDS_PER_GROUP]
        group.sample = Page(
            records=[record_output(spec, row[0]) for row in shown],
            total_count=group.count,
            has_next_page=len(rows) > RECORDS_PER_GROUP,
            has_previous_page=False,
            sort_values=[row[1 + len(grouped) :] for row in shown],
        )
