"""The OpenAPI operations of one object's REST routes: Twenty's operation ids and summaries
(``open-api/utils/path.utils.ts``), the parameters and bodies we accept and the envelopes we
send (where Twenty's handler and its document disagree, the handler's)."""

from __future__ import annotations

import copy
from typing import Any

from hookwire.crm.catalog import ObjectSpec
from hookwire.crm.openapi.parameters import GROUP_BY_PARAMETERS, UUID, fields_param, param
from hookwire.crm.openapi.schemas import record_name, ref
from hookwire.crm.records import MAX_MERGE
from hookwire.crm.request_context import capitalized


def _json(schema: dict[str, Any], description: str = "Successful operation") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _data(key: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Twenty's envelope: ``{"data": {key: …}}``."""
    return {
        "type": "object",
        "properties": {"data": {"type": "object", "properties": {key: schema}}},
    }


def _errors(*statuses: str) -> dict[str, Any]:
    return {status: {"$ref": f"#/components/responses/{status}"} for status in statuses}


def _operation(
    spec: ObjectSpec,
    operation_id: str,
    summary: str,
    parameters: list[dict[str, Any]],
    responses: dict[str, Any],
    *,
    body: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": [spec.name_plural],
        "summary": summary,
        "operationId": operation_id,
        "parameters": parameters,
    }
    if description:
        operation["description"] = description
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    operation["responses"] = responses
    return operation


def _with_put(patch: dict[str, Any]) -> dict[str, Any]:
    """A path item's ``patch`` and its ``put`` alias (Twenty keeps PUT as a legacy alias)."""
    put = copy.deepcopy(patch)
    put["operationId"] = f"{patch['operationId']}ViaPut"
    put["summary"] = f"{patch['summary']} (PUT, an alias of PATCH)"
    return {"patch": patch, "put": put}


def object_paths(spec: ObjectSpec) -> dict[str, Any]:
    """Every REST route of ``spec``, keyed by path."""
    one, many = spec.name_singular, spec.name_plural
    cap_one, cap_many = capitalized(one), capitalized(many)
    name = record_name(spec)
    record = ref(f"{name}ForResponse")
    records = {"type": "array", "items": record}
    shape = [param("depth"), fields_param(spec)]
    ids = {"type": "array", "items": {"type": "object", "properties": {"id": UUID}}}
    create_item = ref(f"{name}ForCreate")
    update_body = ref(f"{name}ForUpdate")
    page = {"totalCount": {"type": "integer"}, "pageInfo": ref("PageInfo")}
    found_many = _data(many, records)
    found_many["properties"].update(page)
    by_id = [param("idPath")]

    paths = {
        f"/rest/{many}": {
            "get": _operation(
                spec,
                f"findMany{cap_many}",
                f"Find Many {many}",
                [
                    param("orderBy"),
                    param("filter"),
                    param("limit"),
                    *shape,
                    param("startingAfter"),
                    param("endingBefore"),
                    param("exactCount"),
                ],
                {"200": _json(found_many), **_errors("400", "401")},
                description=f"**order_by**, **filter**, **limit**, **depth**, **fields**, "
                f"**starting_after** or **ending_before** can be provided to request your "
                f"**{many}**",
            ),
            "post": _operation(
                spec,
                f"createOne{cap_one}",
                f"Create One {one}",
                [*shape, param("upsert")],
                {"201": _json(_data(f"create{cap_one}", record)), **_errors("400", "401")},
                body=create_item,
            ),
            **_with_put(
                _operation(
                    spec,
                    f"updateMany{cap_many}",
                    f"Update Many {many}",
                    [param("bulkFilter"), *shape],
                    {"200": _json(_data(f"update{cap_many}", records)), **_errors("400", "401")},
                    body=update_body,
                )
            ),
            "delete": _operation(
                spec,
                f"deleteMany{cap_many}",
                f"Delete Many {many}",
                [param("bulkFilter"), param("softDelete")],
                {"200": _json(_data(f"delete{cap_many}", ids)), **_errors("400", "401")},
            ),
        },
        f"/rest/batch/{many}": {
            "post": _operation(
                spec,
                f"createMany{cap_many}",
                f"Create Many {many}",
                [*shape, param("upsert")],
                {"201": _json(_data(f"create{cap_many}", records)), **_errors("400", "401")},
                body={"type": "array", "items": create_item, "minItems": 1},
                description="All or nothing: one invalid item writes none.",
            ),
        },
        f"/rest/{many}/{{id}}": {
            "get": _operation(
                spec,
                f"findOne{cap_one}",
                f"Find One {one}",
                [*by_id, *shape],
                {"200": _json(_data(one, record)), **_errors("400", "401", "404")},
            ),
            **_with_put(
                _operation(
                    spec,
                    f"UpdateOne{cap_one}",
                    f"Update One {one}",
                    [*by_id, *shape],
                    {
                        "200": _json(_data(f"update{cap_one}", record)),
                        **_errors("400", "401", "404"),
                    },
                    body=update_body,
                )
            ),
            "delete": _operation(
                spec,
                f"deleteOne{cap_one}",
                f"Delete One {one}",
                [*by_id, param("softDelete")],
                {
                    "200": _json(_data(f"delete{cap_one}", ids["items"])),
                    **_errors("400", "401", "404"),
                },
            ),
        },
        f"/rest/{many}/duplicates": {
            "post": _operation(
                spec,
                f"find{cap_one}Duplicates",
                f"Find {one} Duplicates",
                shape,
                {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {
                                "data": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            f"{one}Duplicates": records,
                                            **page,
                                        },
                                    },
                                }
                            },
                        }
                    ),
                    **_errors("400", "401", "404"),
                },
                body={
                    "type": "object",
                    "properties": {
                        "ids": {"type": "array", "items": UUID, "minItems": 1},
                        "data": {"type": "array", "items": create_item, "minItems": 1},
                    },
                    "oneOf": [{"required": ["ids"]}, {"required": ["data"]}],
                },
                description="One entry per id or data item, in order: the records its "
                "object's duplicate criteria match.",
            ),
        },
        f"/rest/{many}/merge": _with_put(
            _operation(
                spec,
                f"mergeMany{cap_many}",
                f"Merge Many {many}",
                shape,
                {
                    "200": _json(_data(f"merge{cap_one}", record)),
                    **_errors("400", "401", "404"),
                },
                body={
                    "type": "object",
                    "required": ["ids", "conflictPriorityIndex"],
                    "properties": {
                        "ids": {
                            "type": "array",
                            "items": UUID,
                            "minItems": 2,
                            "maxItems": MAX_MERGE,
                            "uniqueItems": True,
                        },
                        "conflictPriorityIndex": {"type": "integer", "minimum": 0},
                        "dryRun": {"type": "boolean", "default": False},
                    },
                },
                description="Merges the records into `ids[conflictPriorityIndex]`, whose values "
                "win; the others are destroyed. With `dryRun`, shows the result and writes "
                "nothing.",
            )
        ),
        f"/rest/{many}/groupBy": {
            "get": _operation(
                spec,
                f"groupBy{cap_many}",
                f"Group By {many}",
                GROUP_BY_PARAMETERS,
                {
                    "200": _json(
                        {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["groupByDimensionValues"],
                                "properties": {
                                    "groupByDimensionValues": {
                                        "type": "array",
                                        "items": {"type": ["string", "null"]},
                                    },
                                    "records": {"type": "array", "items": ref(name)},
                                },
                                "additionalProperties": {"type": "number"},
                            },
                        }
                    ),
                    **_errors("400", "401"),
                },
                description=f"Groups **{many}** by specified fields and optionally computes "
                "aggregate values for each group. The answer is a bare JSON array, as "
                "Twenty's handler sends it.",
            ),
        },
        f"/rest/restore/{many}": _with_put(
            _operation(
                spec,
                f"restoreMany{cap_many}",
                f"Restore Many {many}",
                [param("bulkFilter"), *shape],
                {"200": _json(_data(f"restore{cap_many}", records)), **_errors("400", "401")},
            )
        ),
        f"/rest/restore/{many}/{{id}}": _with_put(
            _operation(
                spec,
                f"restoreOne{cap_one}",
                f"Restore One {one}",
                [*by_id, *shape],
                {
                    "200": _json(_data(f"restore{cap_one}", record)),
                    **_errors("400", "401", "404"),
                },
            )
        ),
    }
    if not spec.duplicate_criteria:
        # Merging needs duplicate criteria: without them the route can only refuse.
        del paths[f"/rest/{many}/merge"]
    return paths
