"""GraphQL arguments (filter, orderBy, first/after/last/before) as the records service's query."""

from __future__ import annotations

from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.field_types import is_composite
from hookwire.crm.filters import (
    MAX_FILTER_DEPTH,
    Comparator,
    Condition,
    Conjunction,
    Direction,
    FilterNode,
    OrderKey,
    check_filter_bounds,
    check_order_bounds,
    too_deep,
)
from hookwire.crm.records import DEFAULT_LIMIT, MAX_LIMIT, ListQuery
from hookwire.errors import BadRequest

_CONJUNCTIONS = ("and", "or", "not")


def filter_node(spec: ObjectSpec, value: dict[str, Any]) -> FilterNode:
    """``{name: {firstName: {eq: "Ada"}}, or: [...]}`` as the parsed REST filter tree, held to
    the same bounds. A null where a filter, a field's comparisons or a comparison's value may
    stand says nothing, as if it were left out (``{city: null}`` filters nothing)."""
    return check_filter_bounds(_filter_node(spec, value, 0))


def _filter_node(spec: ObjectSpec, value: dict[str, Any] | None, depth: int) -> FilterNode:
    if depth > MAX_FILTER_DEPTH:
        raise too_deep("filter")
    parts: list[FilterNode] = []
    for key, operand in (value or {}).items():
        if operand is None:
            continue
        if key == "and" or key == "or":
            items = tuple(_filter_node(spec, item, depth + 1) for item in operand)
            parts.append(Conjunction(key, items))
        elif key == "not":
            parts.append(Conjunction("not", (_filter_node(spec, operand, depth + 1),)))
        else:
            parts.extend(_conditions(spec, key, operand))
    if not parts:
        return Conjunction("and", ())
    return parts[0] if len(parts) == 1 else Conjunction("and", tuple(parts))


def _conditions(spec: ObjectSpec, key: str, comparisons: dict[str, Any]) -> list[Condition]:
    field = spec.field_named(key)
    if field is not None and is_composite(field.type):
        return [
            condition
            for sub, sub_comparisons in comparisons.items()
            if sub_comparisons is not None
            for condition in _conditions_at(f"{key}.{sub}", sub_comparisons)
        ]
    return _conditions_at(key, comparisons)


def _conditions_at(path: str, comparisons: dict[str, Any]) -> list[Condition]:
    return [
        Condition(path, Comparator(name), value)
        for name, value in comparisons.items()
        if value is not None
    ]


def order_keys(spec: ObjectSpec, items: list[dict[str, Any]]) -> tuple[OrderKey, ...]:
    """``[{name: {lastName: AscNullsFirst}}, {city: DescNullsLast}]`` as sort keys; a null
    direction sorts by nothing, as if left out."""
    keys: list[OrderKey] = []
    for item in items:
        for key, direction in (item or {}).items():
            if isinstance(direction, dict):
                keys.extend(
                    OrderKey(f"{key}.{sub}", Direction(d))
                    for sub, d in direction.items()
                    if d is not None
                )
            elif direction is not None:
                keys.append(OrderKey(key, Direction(direction)))
    check_order_bounds(len(keys), "orderBy")
    return tuple(keys)


def page_fan_out(args: dict[str, Any], _catalog: Any = None) -> int:
    """The most records a page asked for with these arguments can hold (for the cost limit)."""
    size = next((args[k] for k in ("first", "last") if args.get(k) is not None), DEFAULT_LIMIT)
    return min(size, MAX_LIMIT)


def list_query(spec: ObjectSpec, args: dict[str, Any]) -> ListQuery:
    first, last = args.get("first"), args.get("last")
    after, before = args.get("after"), args.get("before")
    if first is not None and last is not None:
        raise BadRequest("pass either first or last, not both")
    if after is not None and before is not None:
        raise BadRequest("pass either after or before, not both")
    # As Twenty: first pages forward from after, last pages backward from before.
    if last is not None and after is not None:
        raise BadRequest("last: pass first with after (last pages backward, with before)")
    if first is not None and before is not None:
        raise BadRequest("first: pass last with before (first pages forward, with after)")
    limit = first if first is not None else last if last is not None else DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(
            f"{'first' if first is not None else 'last'}: expected 1 to {MAX_LIMIT}, got {limit}"
        )
    raw_filter = args.get("filter")
    return ListQuery(
        filter=filter_node(spec, raw_filter) if raw_filter else None,
        order_by=order_keys(spec, args.get("orderBy") or []),
        limit=limit,
        after=after,
        before=before,
        from_end=last is not None and before is None,
        offset=args.get("offset") or 0,
    )
