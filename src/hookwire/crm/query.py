"""Compiling parsed filters, sort keys and cursors into SQL over the ``record`` table."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.documents import iso_timestamp, parse_timestamp
from hookwire.crm.expressions import document_expression
from hookwire.crm.field_types import SCALAR_KINDS, FieldType, ValueKind, is_composite, subfields
from hookwire.crm.filters import (
    Comparator,
    Condition,
    Conjunction,
    FilterNode,
    OrderKey,
    check_filter_bounds,
    check_order_bounds,
)
from hookwire.crm.search import search_clause
from hookwire.errors import BadRequest
from hookwire.inputs import loads
from hookwire.models import Record

_COLUMNS: dict[str, tuple[sa.ColumnElement, ValueKind]] = {
    "id": (Record.id, ValueKind.TEXT),
    "position": (Record.position, ValueKind.NUMBER),
    "createdAt": (Record.created_at, ValueKind.TEXT),
    "updatedAt": (Record.updated_at, ValueKind.TEXT),
    "deletedAt": (Record.deleted_at, ValueKind.TEXT),
}
_TIMESTAMP_COLUMNS = frozenset({"createdAt", "updatedAt", "deletedAt"})
SEARCH_FIELD = "searchVector"
_TEXT_COMPARATORS = frozenset(
    {Comparator.LIKE, Comparator.ILIKE, Comparator.STARTS_WITH, Comparator.ENDS_WITH}
)
_NOT_NULL_COLUMNS = frozenset({"id", "position", "createdAt", "updatedAt"})


@dataclass(frozen=True)
class Operand:
    """A filterable, sortable value: a system column or a path into the record document."""

    name: str
    expression: sa.ColumnElement
    kind: ValueKind
    is_timestamp_column: bool = False
    never_null: bool = False
    is_timestamp_text: bool = False  # DATE_TIME in the document: compared in stored ISO form
    dialect: str = "sqlite"

    @property
    def is_text(self) -> bool:
        """Whether the value is text that like, ilike, startsWith and endsWith can match."""
        return self.kind is ValueKind.TEXT and not self.is_timestamp_column

    def coerce(self, raw: Any) -> Any:
        """Turn a value from a URL or a cursor into what SQL compares against."""
        if raw is None:
            return None
        try:
            if self.kind in (ValueKind.LIST, ValueKind.JSON):
                return self._json_value(raw)  # only cursors carry these: sorts, not filters
            if self.kind is ValueKind.TEXT and not isinstance(raw, str):
                raise ValueError(raw)  # only a forged cursor carries this
            if self.is_timestamp_column:
                return parse_timestamp(raw)
            if self.is_timestamp_text:
                return iso_timestamp(parse_timestamp(raw))
            if self.kind is ValueKind.NUMBER:
                number = _number(raw)
                if self.dialect == "postgresql" and self.name not in _COLUMNS:
                    # A document number is compared as numeric: bind one, exactly (the float's
                    # shortest repr, as the JSON holds it). Untyped, an [in] list mixing 1 and
                    # 1e30 binds an int2 beside a float8, which PostgreSQL reads as integers.
                    exact = Decimal(repr(number)) if isinstance(number, float) else number
                    return sa.literal(exact, sa.Numeric())
                return number
            if self.kind is ValueKind.BOOLEAN:
                # A typed parameter: SQLAlchemy refuses < and > against a bare True or False.
                return sa.literal(_boolean(raw), sa.Boolean())
        except (ValueError, OverflowError):
            expected = {
                ValueKind.TEXT: "text",
                ValueKind.NUMBER: "a number",
                ValueKind.BOOLEAN: "true or false",
                ValueKind.LIST: "a value of the sort key",
                ValueKind.JSON: "a value of the sort key",
            }[self.kind]
            if self.is_timestamp_column or self.is_timestamp_text:
                expected = "an ISO 8601 date-time"
            raise BadRequest(
                f"filter: '{self.name}' expects {expected}, got '{str(raw)[:100]}'"
            ) from None
        return raw

    def _json_value(self, raw: Any) -> Any:
        """A cursor's value of an array or JSON sort key, as the database gave it: on
        PostgreSQL any JSON value (compared as jsonb); on SQLite, whose json_extract gives
        arrays and objects as JSON text, a string or a number."""
        if self.dialect == "postgresql":
            return sa.literal(raw, JSONB())
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            raise ValueError(raw)
        return _number(raw) if not isinstance(raw, str) else raw


_ASCII_INTEGER = re.compile(r"-?[0-9]+")
_INT64 = 2**63


def _number(raw: Any) -> int | float:
    """A finite number from a URL or a cursor; an integer beyond 64 bits, which neither
    database binds as an integer, compares as the nearest double."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ValueError(raw)
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > 400:
            raise ValueError(raw)  # no finite double has more digits than this
        raw = int(text) if _ASCII_INTEGER.fullmatch(text) else float(text)
    if isinstance(raw, int):
        return raw if -_INT64 <= raw < _INT64 else float(raw)
    if not math.isfinite(raw):
        raise ValueError(raw)
    return raw


def _boolean(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)  # a cursor made on SQLite, where json_extract gives booleans as 1/0
    if not isinstance(raw, str) or raw.lower() not in ("true", "false"):
        raise ValueError(raw)
    return raw.lower() == "true"


def operand(spec: ObjectSpec, name: str, dialect: str) -> Operand:
    """Resolve ``name`` (``city``, ``name.firstName``, ``companyId``, ``createdAt``)."""
    if name in _COLUMNS:
        column, kind = _COLUMNS[name]
        return Operand(
            name,
            column,
            kind,
            name in _TIMESTAMP_COLUMNS,
            never_null=name in _NOT_NULL_COLUMNS,
            dialect=dialect,
        )
    head, _, sub = name.partition(".")
    field = spec.field_named(head)
    if field is None or field.is_system:
        raise BadRequest(f"field '{head}' does not exist on object '{spec.name_singular}'")
    if field.to_many:
        raise BadRequest(
            f"field '{head}' lists the {field.relation_target} records that point here; "
            f"filter or sort {field.relation_target} records by '{field.inverse_name}' instead"
        )
    if is_composite(field.type):
        if not sub:
            names = ", ".join(f"{field.name}.{s.name}" for s in subfields(field.type))
            raise BadRequest(f"field '{head}' is composite; name a subfield: {names}")
        subfield = next((s for s in subfields(field.type) if s.name == sub), None)
        if subfield is None:
            names = ", ".join(s.name for s in subfields(field.type))
            raise BadRequest(f"field '{head}' has no subfield '{sub}'; expected one of {names}")
        path, kind = (field.name, sub), subfield.kind
    elif sub:
        raise BadRequest(f"field '{head}' is not composite; drop '.{sub}'")
    elif field.join_columns:
        keys = field.stored_keys
        if head not in keys and len(keys) > 1:
            raise BadRequest(f"field '{head}' is a relation; filter or sort by {' or '.join(keys)}")
        path, kind = (head if head in keys else keys[0],), ValueKind.TEXT
    else:
        path, kind = (field.storage_name,), SCALAR_KINDS[field.type]
    return Operand(
        name,
        document_expression(dialect, path, kind),
        kind,
        is_timestamp_text=field.type is FieldType.DATE_TIME,
        dialect=dialect,
    )


def filter_clause(spec: ObjectSpec, node: FilterNode, dialect: str) -> sa.ColumnElement:
    """``node`` as SQL, once it is within the bounds every filter is held to."""
    return _filter_clause(spec, check_filter_bounds(node), dialect)


def _filter_clause(spec: ObjectSpec, node: FilterNode, dialect: str) -> sa.ColumnElement:
    if isinstance(node, Conjunction):
        clauses = [_filter_clause(spec, operand_node, dialect) for operand_node in node.operands]
        if node.operator == "not":
            # not({}) : {} selects every record, so its negation selects none.
            return sa.not_(clauses[0]) if clauses else sa.false()
        if not clauses:
            # An empty and() selects every record, an empty or() none (SQL has no empty AND).
            return sa.true() if node.operator == "and" else sa.false()
        return sa.and_(*clauses) if node.operator == "and" else sa.or_(*clauses)
    if node.field == SEARCH_FIELD or node.comparator is Comparator.SEARCH:
        return _search_clause(spec, node, dialect)
    return _condition_clause(operand(spec, node.field, dialect), node, dialect)


def _search_clause(spec: ObjectSpec, node: Condition, dialect: str) -> sa.ColumnElement:
    if node.field != SEARCH_FIELD or node.comparator is not Comparator.SEARCH:
        raise BadRequest(
            f"filter: full-text search is written {SEARCH_FIELD}[search]:words, got "
            f"'{node.field}[{node.comparator}]'"
        )
    if not isinstance(node.value, str):
        raise BadRequest(f"filter: '{SEARCH_FIELD}[search]' expects words, got a list")
    return search_clause(spec, node.value, dialect)


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition_clause(target: Operand, node: Condition, dialect: str) -> sa.ColumnElement:
    expr, comparator, raw = target.expression, node.comparator, node.value
    if comparator is Comparator.IS:
        if str(raw).upper() == "NULL":
            return expr.is_(None)
        if str(raw).upper() == "NOT_NULL":
            return expr.is_not(None)
        raise BadRequest(f"filter: '{node.field}[is]' expects NULL or NOT_NULL, got '{raw}'")
    if comparator is Comparator.CONTAINS_ANY:
        if target.kind is not ValueKind.LIST:
            raise BadRequest(f"filter: '{node.field}[containsAny]' needs an array field")
        return _contains_any(expr, list(raw), dialect)
    if target.kind in (ValueKind.LIST, ValueKind.JSON):
        raise BadRequest(
            f"filter: '{node.field}' is an array or JSON field; use [containsAny] or [is]"
        )
    if comparator is Comparator.IN:
        return expr.in_([target.coerce(item) for item in raw])
    if isinstance(raw, list):
        raise BadRequest(f"filter: '{node.field}[{comparator}]' expects one value, got a list")
    if comparator in _TEXT_COMPARATORS:
        if not target.is_text:
            what = "a date-time" if target.is_timestamp_column else f"a {target.kind}"
            raise BadRequest(
                f"filter: '{node.field}[{comparator}]' matches text, and '{node.field}' is "
                f"{what}; use eq, neq, in, gt, gte, lt, lte or is"
            )
        if not isinstance(raw, str):
            raise BadRequest(f"filter: '{node.field}[{comparator}]' expects text, got {raw!r}")
    if comparator in (Comparator.STARTS_WITH, Comparator.ENDS_WITH):
        pattern = _like_escaped(raw)
        pattern = f"{pattern}%" if comparator is Comparator.STARTS_WITH else f"%{pattern}"
        return expr.like(pattern, escape="\\")
    if comparator is Comparator.LIKE:
        return expr.like(raw)
    if comparator is Comparator.ILIKE:
        return expr.ilike(raw)
    value = target.coerce(raw)
    return {
        Comparator.EQ: lambda: expr == value,
        Comparator.NEQ: lambda: sa.or_(expr != value, expr.is_(None)),
        Comparator.GT: lambda: expr > value,
        Comparator.GTE: lambda: expr >= value,
        Comparator.LT: lambda: expr < value,
        Comparator.LTE: lambda: expr <= value,
    }[comparator]()


def _contains_any(expr: sa.ColumnElement, values: list[str], dialect: str) -> sa.ColumnElement:
    if dialect == "postgresql":
        return expr.op("?|")(sa.cast(sa.literal(values), sa.ARRAY(sa.Text)))
    items = sa.func.json_each(expr).table_valued("value")
    return sa.exists(sa.select(1).select_from(items).where(items.c.value.in_(values)))


@dataclass(frozen=True)
class SortKey:
    operand: Operand
    ascending: bool
    nulls_first: bool

    def reversed(self) -> SortKey:
        return SortKey(self.operand, not self.ascending, not self.nulls_first)

    def order_clause(self) -> sa.ColumnElement:
        clause = self.operand.expression.asc() if self.ascending else self.operand.expression.desc()
        if self.operand.never_null:
            return clause  # no NULLS clause, so a plain column index serves the sort
        return clause.nulls_first() if self.nulls_first else clause.nulls_last()

    def after(self, value: Any) -> sa.ColumnElement:
        """Rows that sort strictly after ``value`` on this key."""
        expr = self.operand.expression
        if value is None:
            return expr.is_not(None) if self.nulls_first else sa.false()
        beyond = expr > value if self.ascending else expr < value
        return (
            beyond
            if self.nulls_first or self.operand.never_null
            else sa.or_(beyond, expr.is_(None))
        )

    def equal(self, value: Any) -> sa.ColumnElement:
        return (
            self.operand.expression.is_(None) if value is None else self.operand.expression == value
        )


def sort_keys(spec: ObjectSpec, keys: list[OrderKey], dialect: str) -> list[SortKey]:
    """The requested keys, then ``id`` as the tie-breaker that makes the order total."""
    check_order_bounds(len(keys))
    resolved = [
        SortKey(
            operand(spec, key.field, dialect), key.direction.ascending, key.direction.nulls_first
        )
        for key in keys
        if key.field != "id"
    ]
    id_key = next((k for k in keys if k.field == "id"), None)
    ascending = id_key.direction.ascending if id_key else True
    return [*resolved, SortKey(operand(spec, "id", dialect), ascending, True)]


def keyset_clause(keys: list[SortKey], values: list[Any]) -> sa.ColumnElement:
    """Rows strictly after the row whose sort-key values are ``values``."""
    branches = [
        sa.and_(*(keys[j].equal(values[j]) for j in range(i)), keys[i].after(values[i]))
        for i in range(len(keys))
    ]
    clause = sa.or_(*branches)
    leading, first = keys[0], values[0]
    if first is not None and (leading.nulls_first or leading.operand.never_null):
        # A redundant range bound on the leading key lets the planner seek the index.
        bound = (
            leading.operand.expression >= first
            if leading.ascending
            else leading.operand.expression <= first
        )
        clause = sa.and_(bound, clause)
    return clause


# One encoder for every cursor: json.dumps with options builds a new one per call.
_CURSOR_JSON = json.JSONEncoder(separators=(",", ":"))
_JSON_NATIVE = frozenset({str, float, int, bool, type(None)})


def _cursor_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Full precision: a cursor rounded to milliseconds would repeat or skip records.
        return value.isoformat(timespec="microseconds")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    plain = [v if type(v) in _JSON_NATIVE else _cursor_value(v) for v in values]
    return base64.urlsafe_b64encode(_CURSOR_JSON.encode(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    try:
        values = loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)), "cursor")
        if not isinstance(values, list) or len(values) != len(keys):
            raise ValueError
        return [key.operand.coerce(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, BadRequest):
        raise BadRequest(
            f"Invalid cursor '{cursor[:40]}': pass a startCursor or endCursor from a response "
            "made with the same order_by"
        ) from None
