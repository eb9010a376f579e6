"""The OpenAPI parameters of the records REST API, as ``rest_params`` parses them: shared ones
(under ``#/components/parameters``) and groupBy's."""

from __future__ import annotations

from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.counts import COUNT_CAP
from hookwire.crm.group_by import DEFAULT_GROUP_LIMIT, MAX_GROUP_LIMIT, RECORDS_PER_GROUP
from hookwire.crm.records import DEFAULT_LIMIT, MAX_BULK, MAX_LIMIT
from hookwire.crm.rest.relations import RELATION_LIMIT
from hookwire.crm.rest.shape import readable_fields

UUID = {"type": "string", "format": "uuid"}
_FILTER_SYNTAX = (
    "`field[comparator]:value`, comparators `eq neq in containsAny is gt gte lt lte "
    "startsWith endsWith like ilike`; `and(…)`, `or(…)`, `not(…)`; a bare list means and. "
    'For example `name.firstName[eq]:Ada`, `createdAt[gte]:"2024-01-01"`, '
    "`or(city[eq]:London,city[is]:NULL)`."
)


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema, **extra}


def fields_param(spec: ObjectSpec) -> dict[str, Any]:
    """``fields``: a comma-separated list (``style: form``, not exploded) of the names the
    object's records can be narrowed to, listed, so a client can tell which are accepted."""
    return {
        "name": "fields",
        "in": "query",
        "description": PARAMETERS["fields"]["description"],
        "style": "form",
        "explode": False,
        "schema": {
            "type": "array",
            "items": {"type": "string", "enum": sorted(readable_fields(spec))},
            "minItems": 1,
        },
    }


def param(name: str) -> dict[str, str]:
    """A reference to the shared parameter ``name``."""
    return {"$ref": f"#/components/parameters/{name}"}


# Shared by the routes, under #/components/parameters.
PARAMETERS: dict[str, dict[str, Any]] = {
    "idPath": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "Object id.",
        "schema": UUID,
    },
    "limit": _query(
        "limit",
        {"type": "integer", "minimum": 0, "default": DEFAULT_LIMIT},
        f"Limits the number of objects returned; above {MAX_LIMIT} means {MAX_LIMIT}.",
    ),
    "depth": _query(
        "depth",
        {"type": "integer", "enum": [0, 1], "default": 0},
        "Determines the level of nested related objects to include in the response.\n"
        "- 0: Primary object only\n"
        "- 1: Primary object + direct relations (a many-to-one relation as the related "
        f"object or null, a one-to-many relation as an array of up to {RELATION_LIMIT})",
    ),
    "fields": _query(
        "fields",
        {"type": "string"},
        "Comma-separated field names to return (`id` always comes back); relations by "
        "name, composite fields whole, e.g. `fields=name,company`.",
    ),
    "orderBy": _query(
        "order_by",
        {"type": "string"},
        "`field_1[AscNullsFirst],field_2[DescNullsLast],field_3`; directions AscNullsFirst "
        "(default), AscNullsLast, DescNullsFirst, DescNullsLast; dotted names reach composite "
        "subfields, e.g. `name.lastName[DescNullsLast]`.",
    ),
    "filter": _query("filter", {"type": "string"}, f"Which records to return: {_FILTER_SYNTAX}"),
    "bulkFilter": _query(
        "filter",
        {"type": "string"},
        f"Required: the records to change, at most {MAX_BULK}. {_FILTER_SYNTAX}",
        required=True,
    ),
    "startingAfter": _query(
        "starting_after",
        {"type": "string"},
        "Returns objects starting after a specific cursor. You can find cursors in "
        "**startCursor** and **endCursor** in **pageInfo** in response data",
    ),
    "endingBefore": _query(
        "ending_before",
        {"type": "string"},
        "Returns objects ending before a specific cursor. You can find cursors in "
        "**startCursor** and **endCursor** in **pageInfo** in response data",
    ),
    "exactCount": _query(
        "exact_count",
        {"type": "boolean", "default": False},
        f"If true, **totalCount** is exact, at the cost of counting every match. Otherwise it "
        f"is exact up to {COUNT_CAP:,} matches and past them an estimate, at least "
        f"{COUNT_CAP + 1:,} (PostgreSQL's planner estimate; on SQLite {COUNT_CAP + 1:,} itself), "
        "so a list costs the same at any size.",
    ),
    "upsert": _query(
        "upsert",
        {"type": "boolean", "default": False},
        "If true, creates the object or updates it if it already exists (same id, or same "
        "value of a unique field).",
    ),
    "softDelete": _query(
        "soft_delete",
        {"type": "boolean", "default": False},
        "If true, soft deletes the objects. If false, objects are permanently deleted.",
    ),
}
GROUP_BY_PARAMETERS = [
    _query(
        "group_by",
        {"type": "string"},
        'JSON array of the fields to group by, e.g. `[{"city": true}]`, '
        '`[{"address": {"addressCity": true}}]`, `[{"createdAt": {"granularity": "WEEK"}}]`.',
        required=True,
    ),
    _query(
        "aggregate",
        {"type": "string"},
        'JSON array of aggregates computed per group, e.g. `["countNotEmptyId"]`.',
    ),
    param("filter"),
    _query(
        "order_by",
        {"type": "string"},
        'JSON array ordering the groups, e.g. `[{"city": "AscNullsFirst"}]`, '
        '`[{"aggregate": {"countNotEmptyId": "DescNullsLast"}}]`.',
    ),
    _query(
        "order_by_for_records",
        {"type": "string"},
        "Order of the sampled records, as `order_by` on lists: `field[Direction],…`.",
    ),
    _query(
        "include_records_sample",
        {"type": "boolean", "default": False},
        f"If true, each group carries up to {RECORDS_PER_GROUP} of its records under `records`.",
    ),
    _query(
        "limit",
        {"type": "integer", "minimum": 0, "default": DEFAULT_GROUP_LIMIT},
        f"The most groups to return (0 means the default); above {MAX_GROUP_LIMIT} means "
        f"{MAX_GROUP_LIMIT}.",
    ),
    _query(
        "view_id",
        UUID,
        "Accepted as Twenty accepts it; Hookwire has no views, so it changes nothing.",
    ),
]
