"""``GET /rest/{objects}/groupBy``: Twenty's grouping over REST.

Parameters: ``group_by`` (required, JSON), ``aggregate`` (a JSON array of aggregate names),
``filter``, ``order_by`` (JSON, the group order), ``order_by_for_records``,
``include_records_sample=true``, ``limit`` (groups) and ``view_id``. Like Twenty's handler,
the answer is a bare JSON array: ``[{"<aggregate>": value, …, "groupByDimensionValues":
[…], "records": […]}]`` (``records`` only with ``include_records_sample=true``).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, g, request

from hookwire.crm.aggregates import resolve
from hookwire.crm.filters import OrderKey, parse_order_by
from hookwire.crm.group_by import Group, group_by, group_limit, parse_dimensions, parse_group_order
from hookwire.crm.records import parse_id
from hookwire.crm.request_context import (
    caller_actor,
    current_catalog,
    request_transaction,
    require_caller_in_request_transaction,
    require_scopes,
)
from hookwire.crm.rest import params as rest_params
from hookwire.errors import BadRequest
from hookwire.identity.scopes import RECORDS_READ
from hookwire.services import services

group_by_api = Blueprint("group_by_api", __name__, url_prefix="/rest")
group_by_api.before_request(require_caller_in_request_transaction)
group_by_api.before_request(require_scopes(RECORDS_READ))

# Twenty's messages for parameters that are not the JSON they must be.
_GROUP_BY_EXPECTED = (
    "Invalid group_by query parameter - should be a valid array of objects - ex: "
    '[{"firstField": true}, {"secondField": {"subField": true}}, '
    '{"dateField": {"granularity": \'DAY\'}}]'
)
_ORDER_BY_EXPECTED = (
    "Invalid order_by query parameter - should be a valid array of objects - ex: "
    '[{"firstField": "AscNullsFirst"}, {"secondField": {"subField": "DescNullsLast"}}, '
    '{"aggregate": {"aggregateField": "DescNullsLast"}}, '
    '{dateField: {"orderBy": "AscNullsFirst", "granularity": "DAY"}}]'
)
_AGGREGATE_EXPECTED = (
    "Invalid aggregate query parameter - should be a valid array of string - ex: "
    '["countNotEmptyId", "countEmptyField"]'
)


def _json_list(name: str, expected: str, *, required: bool = False) -> list[Any] | None:
    """The query parameter ``name`` parsed as a JSON array, or 400 with ``expected``."""
    raw = rest_params.single(name)
    if raw is None and not required:
        return None
    try:
        value = json.loads(raw or "")
    except ValueError:
        raise BadRequest(expected) from None
    if not isinstance(value, list):
        raise BadRequest(expected)
    return value


def _records_order() -> tuple[OrderKey, ...]:
    """``order_by_for_records``, in the records' ``order_by`` grammar."""
    raw = rest_params.single("order_by_for_records")
    if not raw:
        return ()
    try:
        return tuple(parse_order_by(raw))
    except BadRequest as error:
        renamed = (m.replace("order_by:", "order_by_for_records:", 1) for m in error.messages)
        raise BadRequest(*renamed) from None


def _output(group: Group, with_records: bool) -> dict[str, Any]:
    """One group as Twenty's handler writes it: aggregates, dimension values, records."""
    output: dict[str, Any] = {**group.aggregates, "groupByDimensionValues": group.dimension_values}
    if with_records:
        output["records"] = group.sample.records if group.sample else []
    return output


@group_by_api.get("/<name_plural>/groupBy")
def group_records(name_plural: str) -> list[dict[str, Any]]:
    spec = current_catalog().object_by_plural(name_plural)
    args = request.args
    dialect = services().engine.dialect.name
    dimensions = parse_dimensions(
        spec, _json_list("group_by", _GROUP_BY_EXPECTED, required=True), "group_by", dialect
    )
    names = _json_list("aggregate", _AGGREGATE_EXPECTED) or []
    if not all(isinstance(name, str) for name in names):
        raise BadRequest(_AGGREGATE_EXPECTED)
    wanted = resolve(spec, names, "aggregate")
    order = parse_group_order(
        spec, dimensions, _json_list("order_by", _ORDER_BY_EXPECTED), "order_by"
    )
    node = rest_params.filter_node()
    # Twenty's group limit: a positive number of groups, else the default.
    records_order, limit = _records_order(), group_limit(rest_params.limit(default=0))
    if args.get("view_id"):
        parse_id(args["view_id"], "view_id")  # no views here: like an unknown view, no filter
    with_records = args.get("include_records_sample") == "true"
    with request_transaction(write=False) as session:
        store = services().record_store(session, current_catalog(), caller_actor(g.caller))
        groups = group_by(
            store,
            spec,
            dimensions,
            filter=node,
            order_by=order,
            order_by_for_records=records_order,
            limit=limit,
            aggregates=wanted,
            include_records=with_records,
        )
    return [_output(group, with_records) for group in groups]
