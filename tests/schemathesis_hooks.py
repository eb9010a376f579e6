"""Schemathesis hooks for ``test_schemathesis.py`` (loaded through ``SCHEMATHESIS_HOOKS``).

The OpenAPI document says what each parameter and body is, but three things a schema cannot
say: the query languages (``filter`` and ``order_by`` are grammars, ``group_by`` JSON naming the
object's fields), cursors (only ones the server gave are valid), and what must already exist
(a relation names a record of this workspace; a unique value must be free). For requests
generated as *valid* (positive mode), these hooks put realistic values there, as
schemathesis's guide suggests for existing ids; requests generated as invalid are left alone,
so the negative checks still see them. Everything else is generated from the document.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import schemathesis

# Filters valid on every object; a bulk change gets one that matches no record.
FILTERS = (
    "id[is]:NOT_NULL",
    "position[gte]:0",
    "createdAt[gte]:2000-01-01T00:00:00Z",
    "or(deletedAt[is]:NULL,deletedAt[is]:NOT_NULL)",
    "and(id[is]:NOT_NULL,not(position[lt]:-1))",
)
ORDERS = ("position", "createdAt[DescNullsLast],id", "id[AscNullsFirst]", "updatedAt")
GROUP_BY = ('[{"createdAt": {"granularity": "DAY", "timeZone": "UTC"}}]', '[{"id": true}]')
GROUP_ORDER = '[{"aggregate": {"totalCount": "DescNullsLast"}}]'
UNIQUE = {"emails": "primaryEmail", "domainName": "primaryLinkUrl"}


def _positive(case: schemathesis.Case, location: str) -> bool:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return False
    component = next(
        (info for loc, info in meta.components.items() if loc.name.lower() == location), None
    )
    return component is None or component.mode.is_positive


def _is_uuid(value: Any) -> bool:
    try:
        return str(uuid.UUID(str(value))) == str(value).lower()
    except ValueError:
        return False


def _storable(value: Any) -> Any:
    """Free-form JSON (a RAW_JSON value, an actor's context) as text the databases can store:
    no NUL, no lone surrogate. The document says so of every plain string; of free-form JSON
    it cannot say it short of a recursive schema."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _realistic_item(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    item = dict(item)
    if item.get("id") is not None:
        item["id"] = str(uuid.uuid4())  # a new record's id: free (an example repeats its own)
    for key, value in list(item.items()):
        if key.endswith("Id") and isinstance(value, str):
            item[key] = None  # a relation: to a record that exists, or to none
    for field, subfield in UNIQUE.items():
        value = item.get(field)
        if isinstance(value, dict) and value.get(subfield):
            item[field] = {**value, subfield: f"{uuid.uuid4().hex}@example.com"}
    return item


@schemathesis.hook
def before_call(context: schemathesis.HookContext, case: schemathesis.Case, **_: Any) -> None:
    pick = random.Random(str(case.id)).choice
    path = case.operation.path
    ids = case.path_parameters or {}
    if (
        "id" in ids
        and not _is_uuid(ids["id"])
        and case.meta
        and case.meta.generation.mode.is_positive
    ):
        # A stateful link can carry a value the response did not have ("None"): an id.
        case.path_parameters = {**ids, "id": str(uuid.uuid4())}
    if case.query and _positive(case, "query"):
        query = dict(case.query)
        bulk = case.method.upper() != "GET" and "filter" in query
        if "filter" in query:
            query["filter"] = f"id[eq]:{uuid.uuid4()}" if bulk else pick(FILTERS)
        if path.endswith("/groupBy"):
            query["group_by"] = pick(GROUP_BY)
            query.pop("aggregate", None)
            if "order_by" in query:
                query["order_by"] = GROUP_ORDER
            if "order_by_for_records" in query:
                query["order_by_for_records"] = pick(ORDERS)
        elif "order_by" in query:
            query["order_by"] = pick(ORDERS)
        for cursor in ("starting_after", "ending_before"):
            query.pop(cursor, None)  # only cursors the server gave are valid
        case.query = query
    if case.body is not None and _positive(case, "body"):
        body = _storable(case.body)
        if isinstance(body, list):
            body = [_realistic_item(item) for item in body]
        elif isinstance(body, dict) and isinstance(body.get("data"), list):
            body = {**body, "data": [_realistic_item(item) for item in body["data"]]}
        elif isinstance(body, dict) and "conflictPriorityIndex" in body:
            ids = body.get("ids") or [None]
            priority = body["conflictPriorityIndex"]
            if isinstance(priority, int | float) and isinstance(ids, list):
                # an index into ids (a range no schema can tie to the array's length)
                body = {**body, "conflictPriorityIndex": min(int(priority), len(ids) - 1)}
        else:
            body = _realistic_item(body)
        case.body = body
