"""The records REST API's inputs, parsed as Twenty's handlers parse them: one layer for every
route, so each parameter means the same thing everywhere and bad input is a 400 naming it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from werkzeug.routing import BaseConverter

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.counts import Count
from hookwire.crm.filters import FilterNode, parse_filter, parse_order_by
from hookwire.crm.records import DEFAULT_LIMIT, MAX_LIMIT, ListQuery
from hookwire.crm.rest.shape import RecordShape, readable_fields
from hookwire.crm.validation import describe_value
from hookwire.errors import BadRequest

_DIGITS = frozenset("0123456789")  # str.isdigit() would take '²' and other Unicode digits
_BULK_DELETE_FILTER = (
    "Filters are mandatory for bulk {action} operations. Please provide at least one filter "
    "to prevent accidental deletion of all records."
)
_BULK_FILTER = "A non-empty filter is required for a bulk mutation"
_FIELDS_EXAMPLE = "Expected a comma-separated list of field names, e.g. fields=id,name"


def _natural(raw: str) -> int | None:
    """``raw`` as a non-negative integer if it is ASCII digits only, else None; absurdly long
    numbers come back as a large int without parsing thousands of digits."""
    if not raw or not set(raw) <= _DIGITS:
        return None
    digits = raw.lstrip("0")
    return int(digits or "0") if len(digits) <= 18 else 10**18


class ObjectSegment(BaseConverter):
    """``<object:name_plural>`` in a route of one record: any object name but ``batch`` and
    ``restore``, the fixed segments of other routes (``/batch/{objects}``,
    ``/restore/{objects}``). So those paths match only their own routes, and another method
    there is a 405 whose ``Allow`` (and ``OPTIONS``) names just their methods."""

    regex = r"(?!(?:batch|restore)(?:/|$))[^/]+"


class RecordSegment(BaseConverter):
    """``<record:record_id>``: any record id but the fixed ``duplicates``, ``merge`` and
    ``groupBy`` segments of ``/{objects}/duplicates`` and the like."""

    regex = r"(?!(?:duplicates|merge|groupBy)(?:/|$))[^/]+"


ROUTE_CONVERTERS = {"object": ObjectSegment, "record": RecordSegment}


def single(name: str) -> str | None:
    """The query parameter ``name``, refused when given more than once: which of several
    values would count is a guess a client should not have to make."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"'{name}' parameter given {len(values)} times; expected it once")
    return values[0] if values else None


def limit(default: int = DEFAULT_LIMIT) -> int:
    """``limit``: absent or empty gives ``default``; above ``MAX_LIMIT`` is capped, as Twenty
    caps it; 0 is allowed; anything but digits is refused."""
    raw = single("limit")
    if not raw:
        return default
    value = _natural(raw)
    if value is None:
        raise BadRequest(f"limit '{raw}' is invalid. Should be an integer, 0 or more")
    return min(value, MAX_LIMIT)


def depth() -> int:
    """``depth``: 0 (the default) or 1, which embeds related records."""
    raw = single("depth")
    if not raw:
        return 0
    value = _natural(raw)
    if value not in (0, 1):
        raise BadRequest(f"'depth={raw}' parameter invalid. Allowed values are 0, 1")
    return value


def flag(name: str) -> bool:
    """A boolean query parameter (``upsert``, ``soft_delete``): ``true`` or ``false``, default
    false. Twenty reads anything but ``true`` as false; we refuse it instead (an empty value
    too), so a typo never turns a soft delete into a destroy."""
    raw = single(name)
    if raw is None:
        return False
    if raw.lower() not in ("true", "false"):
        raise BadRequest(f"'{name}' parameter invalid. Expected true or false, got '{raw}'")
    return raw.lower() == "true"


def fields(spec: ObjectSpec) -> frozenset[str] | None:
    """``fields=a,b`` (repeatable): the fields to return, or None for all of them."""
    raws = request.args.getlist("fields")
    if not raws:
        return None
    names = [name.strip() for raw in raws for name in raw.split(",")]
    wanted = list(dict.fromkeys(name for name in names if name))
    if not wanted:
        raise BadRequest(f"'fields' parameter is empty. {_FIELDS_EXAMPLE}")
    unknown = [name for name in wanted if name not in readable_fields(spec)]
    if unknown:
        raise BadRequest(
            f"'fields' parameter invalid. Unknown or unreadable fields on "
            f"'{spec.name_singular}': {', '.join(unknown)}"
        )
    return frozenset(wanted)


def record_shape(spec: ObjectSpec) -> RecordShape:
    """How the route's records are returned: ``depth`` and ``fields``."""
    return RecordShape(depth=depth(), fields=fields(spec))


def filter_node() -> FilterNode | None:
    raw = single("filter")
    return parse_filter(raw) if raw else None


def list_query() -> ListQuery:
    """``filter``, ``order_by``, ``limit``, ``starting_after``, ``ending_before`` and
    ``exact_count`` (``totalCount`` is an estimate past ``COUNT_CAP`` matches without it)."""
    raw_order = single("order_by")
    return ListQuery(
        filter=filter_node(),
        order_by=tuple(parse_order_by(raw_order)) if raw_order else (),
        limit=limit(),
        after=single("starting_after") or None,
        before=single("ending_before") or None,
        count=Count.EXACT if flag("exact_count") else Count.BOUNDED,
    )


def bulk_filter() -> FilterNode:
    """The ``filter`` a bulk update or restore applies to; required."""
    node = filter_node()
    if node is None:
        raise BadRequest(_BULK_FILTER)
    return node


def bulk_delete_filter(soft: bool) -> FilterNode:
    """The ``filter`` of a bulk delete, required with Twenty's message."""
    node = filter_node()
    if node is None:
        raise BadRequest(_BULK_DELETE_FILTER.format(action="delete" if soft else "destroy"))
    return node


@dataclass(frozen=True)
class DuplicatesArgs:
    ids: list[Any] | None
    data: list[Any] | None


@dataclass(frozen=True)
class MergeArgs:
    ids: list[Any]
    priority: int
    dry_run: bool


def _object_body(body: Any, expected: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest(f"body: expected a JSON object {expected}")
    return body


def _optional_list(body: dict[str, Any], key: str) -> list[Any] | None:
    """``body[key]``, an array, or None when the key is absent (an explicit null is refused,
    as the document's schema does)."""
    if key not in body:
        return None
    value = body[key]
    if not isinstance(value, list):
        raise BadRequest(f"{key}: expected an array, got {describe_value(value)}")
    return value


def duplicates_args(body: Any) -> DuplicatesArgs:
    """``{"ids": [...]}`` or ``{"data": [...]}``."""
    body = _object_body(body, 'with "ids" or "data"')
    return DuplicatesArgs(ids=_optional_list(body, "ids"), data=_optional_list(body, "data"))


def merge_args(body: Any) -> MergeArgs:
    """``{"ids": [...], "conflictPriorityIndex": 0, "dryRun": false}``."""
    body = _object_body(body, 'with "ids" and "conflictPriorityIndex"')
    ids = _optional_list(body, "ids")
    if ids is None:
        raise BadRequest("ids: required, an array of the record ids to merge")
    priority = body.get("conflictPriorityIndex")
    if type(priority) is float and priority.is_integer():
        priority = int(priority)  # JSON has one number type: 1.0 is the integer 1
    if type(priority) is not int:
        raise BadRequest(
            f"conflictPriorityIndex: expected an integer index into ids, got {priority!r}"
        )
    dry_run = body.get("dryRun")
    if dry_run is None:
        dry_run = False
    if type(dry_run) is not bool:
        raise BadRequest(f"dryRun: expected true or false, got {dry_run!r}")
    return MergeArgs(ids=ids, priority=priority, dry_run=dry_run)
