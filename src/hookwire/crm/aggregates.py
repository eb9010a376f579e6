"""Aggregates over records, with Twenty's names: ``totalCount``, ``countEmptyCity``,
``percentageNotEmptyName``, ``sumEmployees``, ``minAnnualRecurringRevenueAmountMicros``…

Every field but relations (and the search vector, which lives in the search index) has
``countUniqueValues``, ``countEmpty``, ``countNotEmpty``, ``percentageEmpty`` and
``percentageNotEmpty``; dates add ``min``/``max``, booleans ``countTrue``/``countFalse``,
numbers ``min``/``max``/``avg``/``sum``, currencies the same four on ``amountMicros``.
A value is empty when it is null, ``''``, ``[]`` or ``{}``; a composite value when every
subfield Twenty looks at is (``FULL_NAME``: both names; ``LINKS``: ``primaryLinkUrl``).
Percentages are ratios from 0 to 1, as Twenty returns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.documents import iso_timestamp, plain_number
from hookwire.crm.field_types import RELATION_TYPES, FieldType, ValueKind, is_composite
from hookwire.crm.filters import FilterNode
from hookwire.crm.query import Operand, operand
from hookwire.crm.records import RecordStore
from hookwire.errors import BadRequest
from hookwire.models import Record

TOTAL_COUNT = "totalCount"


class Operation(StrEnum):
    """Twenty's aggregate operations; the value starts the aggregate's name."""

    COUNT_UNIQUE_VALUES = "countUniqueValues"
    COUNT_EMPTY = "countEmpty"
    COUNT_NOT_EMPTY = "countNotEmpty"
    PERCENTAGE_EMPTY = "percentageEmpty"
    PERCENTAGE_NOT_EMPTY = "percentageNotEmpty"
    MIN = "min"
    MAX = "max"
    AVG = "avg"
    SUM = "sum"
    COUNT_TRUE = "countTrue"
    COUNT_FALSE = "countFalse"


class Result(StrEnum):
    """What an aggregate's value is: GraphQL ``Int``, ``Float`` or ``DateTime``."""

    INT = "int"
    FLOAT = "float"
    DATE_TIME = "date_time"


_EVERY_FIELD = (
    Operation.COUNT_UNIQUE_VALUES,
    Operation.COUNT_EMPTY,
    Operation.COUNT_NOT_EMPTY,
    Operation.PERCENTAGE_EMPTY,
    Operation.PERCENTAGE_NOT_EMPTY,
)
_BY_TYPE: dict[FieldType, tuple[Operation, ...]] = {
    FieldType.DATE: (Operation.MIN, Operation.MAX),
    FieldType.DATE_TIME: (Operation.MIN, Operation.MAX),
    FieldType.BOOLEAN: (Operation.COUNT_TRUE, Operation.COUNT_FALSE),
    FieldType.NUMBER: (Operation.MIN, Operation.MAX, Operation.AVG, Operation.SUM),
    FieldType.CURRENCY: (Operation.MIN, Operation.MAX, Operation.AVG, Operation.SUM),
}
# The subfields whose emptiness makes a composite value empty.
_EMPTY_WHEN: dict[FieldType, tuple[str, ...]] = {
    FieldType.FULL_NAME: ("firstName", "lastName"),
    FieldType.EMAILS: ("primaryEmail",),
    FieldType.PHONES: ("primaryPhoneNumber",),
    FieldType.LINKS: ("primaryLinkUrl",),
    FieldType.CURRENCY: ("amountMicros",),
    FieldType.ADDRESS: (
        "addressStreet1", "addressStreet2", "addressCity", "addressState", "addressCountry",
        "addressPostcode",
    ),
    FieldType.ACTOR: ("name",),
}  # fmt: skip
_NOT_AGGREGATED = RELATION_TYPES | {FieldType.TS_VECTOR}
_SEPARATOR = "\x1f"  # joins the parts of a composite value counted for distinct values


@dataclass(frozen=True)
class Aggregate:
    """One aggregate Twenty's connections offer: ``operation`` over ``field`` (neither for
    ``totalCount``)."""

    name: str
    operation: Operation | None = None
    field: FieldSpec | None = None

    @property
    def result(self) -> Result:
        if self.operation is None or self.operation.value.startswith("count"):
            return Result.INT
        dated = self.field is not None and self.field.type in (FieldType.DATE, FieldType.DATE_TIME)
        if dated and self.operation in (Operation.MIN, Operation.MAX):
            return Result.DATE_TIME
        return Result.FLOAT

    def expression(self, spec: ObjectSpec, dialect: str) -> sa.ColumnElement:
        """The SQL aggregate over the rows of one group (or of the whole filtered scope)."""
        total = sa.func.count()
        if self.operation is None or self.field is None:
            return total
        value = _FieldValue.of(spec, self.field, dialect)
        match self.operation:
            case Operation.COUNT_UNIQUE_VALUES:
                return sa.func.count(sa.distinct(sa.case((value.not_empty(), value.distinct()))))
            case Operation.COUNT_EMPTY:
                return _count_where(value.empty())
            case Operation.COUNT_NOT_EMPTY:
                return _count_where(value.not_empty())
            case Operation.PERCENTAGE_EMPTY | Operation.PERCENTAGE_NOT_EMPTY:
                empty = self.operation is Operation.PERCENTAGE_EMPTY
                wanted = _count_where(value.empty() if empty else value.not_empty())
                return sa.case((total == 0, sa.null()), else_=sa.cast(wanted, sa.Float) / total)
            case Operation.COUNT_TRUE | Operation.COUNT_FALSE:
                truth = sa.true() if self.operation is Operation.COUNT_TRUE else sa.false()
                return _count_where(value.primary.is_(truth))
        return {
            Operation.MIN: sa.func.min,
            Operation.MAX: sa.func.max,
            Operation.AVG: sa.func.avg,
            Operation.SUM: sa.func.sum,
        }[self.operation](value.primary)

    def output(self, raw: Any) -> Any:
        """The value as the API shows it (counts as ints, dates as ISO 8601 in UTC)."""
        if self.result is Result.INT:
            return int(raw or 0)
        if raw is None:
            return None
        if self.result is Result.DATE_TIME:
            return iso_timestamp(raw) if isinstance(raw, datetime) else str(raw)
        return plain_number(float(raw))


def _count_where(condition: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.count(sa.case((condition, 1)))


@dataclass(frozen=True)
class _FieldValue:
    """A field's value in SQL: the operands that decide emptiness, and the one measured by
    min/max/avg/sum (``amountMicros`` for a currency)."""

    parts: tuple[Operand, ...]
    dialect: str

    @classmethod
    def of(cls, spec: ObjectSpec, field: FieldSpec, dialect: str) -> _FieldValue:
        if is_composite(field.type):
            names = tuple(f"{field.name}.{sub}" for sub in _EMPTY_WHEN[field.type])
        else:
            names = (field.storage_name,)
        return cls(tuple(operand(spec, name, dialect) for name in names), dialect)

    @property
    def primary(self) -> sa.ColumnElement:
        """The value min/max/avg/sum and countTrue/countFalse measure."""
        return self.parts[0].expression

    def empty(self) -> sa.ColumnElement:
        return sa.and_(*(self._part_empty(part) for part in self.parts))

    def not_empty(self) -> sa.ColumnElement:
        return sa.not_(self.empty())

    def distinct(self) -> sa.ColumnElement:
        """One comparable value per distinct field value."""
        if len(self.parts) == 1:
            return self.primary
        joined = sa.type_coerce(sa.func.coalesce(self.parts[0].expression, ""), sa.Text)
        for part in self.parts[1:]:
            joined = joined.concat(_SEPARATOR).concat(sa.func.coalesce(part.expression, ""))
        return joined

    def _part_empty(self, part: Operand) -> sa.ColumnElement:
        expr = part.expression
        if part.never_null:
            return sa.false()
        if part.is_timestamp_column or part.kind in (ValueKind.NUMBER, ValueKind.BOOLEAN):
            return expr.is_(None)
        if part.kind in (ValueKind.LIST, ValueKind.JSON):
            nothing = "[]" if part.kind is ValueKind.LIST else "{}"
            cast = "::jsonb" if self.dialect == "postgresql" else ""
            return sa.or_(expr.is_(None), expr == sa.literal_column(f"'{nothing}'{cast}"))
        return sa.or_(expr.is_(None), expr == "")


def _capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]


def available(spec: ObjectSpec) -> dict[str, Aggregate]:
    """Every aggregate ``spec``'s connections offer, by name, in Twenty's order."""

    def build() -> dict[str, Aggregate]:
        found = {TOTAL_COUNT: Aggregate(TOTAL_COUNT)}
        for field in spec.fields:
            if not field.is_active or field.type in _NOT_AGGREGATED:
                continue
            for operation in (*_EVERY_FIELD, *_BY_TYPE.get(field.type, ())):
                name = f"{operation.value}{_capitalized(field.name)}"
                if field.type is FieldType.CURRENCY and operation not in _EVERY_FIELD:
                    name += "AmountMicros"
                found[name] = Aggregate(name, operation, field)
        return found

    return spec.cached("aggregates", build)


def resolve(spec: ObjectSpec, names: list[str], where: str = "aggregate") -> list[Aggregate]:
    """The aggregates ``names`` asks for, or 400 naming the unknown one and the valid ones."""
    offered = available(spec)
    unknown = [name for name in names if name not in offered]
    if unknown:
        raise BadRequest(
            f"{where}: unknown aggregate '{unknown[0]}' on object '{spec.name_singular}'; "
            f"expected any of {', '.join(offered)}"
        )
    return [offered[name] for name in dict.fromkeys(names)]


def aggregate_values(
    store: RecordStore, spec: ObjectSpec, node: FilterNode | None, wanted: list[Aggregate]
) -> dict[str, Any]:
    """``wanted`` over the live records matching ``node``, in one query."""
    if not wanted:
        return {}
    columns = [a.expression(spec, store.dialect).label(f"a{i}") for i, a in enumerate(wanted)]
    # Inputs: the object's scope and filter. Answer: one row, one column per aggregate.
    statement = sa.select(*columns).select_from(Record).where(*store.conditions(spec, node))
    row = store.session.execute(statement).one()
    return {a.name: a.output(value) for a, value in zip(wanted, row, strict=True)}
