"""``GET /open-api/core``: an OpenAPI 3.1 document generated from the workspace's metadata."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from hookwire import __version__
from hookwire.crm.catalog import Catalog, ObjectSpec
from hookwire.crm.records import DEFAULT_LIMIT, MAX_LIMIT
from hookwire.crm.request_context import capitalized, current_catalog, require_caller
from hookwire.crm.validation import record_schema

openapi_api = Blueprint("openapi_api", __name__)
openapi_api.before_request(require_caller)

_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_RESPONSES = {
    "400": {"description": "Bad request", "content": {"application/json": {"schema": _ERROR}}},
    "401": {"description": "Unauthenticated", "content": {"application/json": {"schema": _ERROR}}},
    "404": {"description": "Not found", "content": {"application/json": {"schema": _ERROR}}},
}
_LIST_PARAMETERS = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
    {"name": "ending_before", "in": "query", "schema": {"type": "string"}},
    {
        "name": "order_by",
        "in": "query",
        "description": "field[AscNullsFirst|AscNullsLast|DescNullsFirst|DescNullsLast],…",
        "schema": {"type": "string"},
    },
    {
        "name": "filter",
        "in": "query",
        "description": "field[comparator]:value; and(…), or(…), not(…). "
        "Comparators: eq neq in containsAny is gt gte lt lte startsWith endsWith like ilike.",
        "schema": {"type": "string"},
        "example": "name.firstName[eq]:Ada",
    },
]
_ID_PARAMETER = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
}


def _envelope(key: str, schema: dict[str, Any], extra: dict[str, Any] | None = None) -> dict:
    body = {
        "type": "object",
        "properties": {"data": {"type": "object", "properties": {key: schema}}, **(extra or {})},
    }
    return {"content": {"application/json": {"schema": body}}}


def _record_ref(spec: ObjectSpec) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{capitalized(spec.name_singular)}"}


def _paths(spec: ObjectSpec) -> dict[str, Any]:
    singular, plural = capitalized(spec.name_singular), capitalized(spec.name_plural)
    record = _record_ref(spec)
    create_body = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{singular}ForCreate"}}
        },
    }
    update_body = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{singular}ForUpdate"}}
        },
    }
    page_info = {"$ref": "#/components/schemas/PageInfo"}
    tag = [spec.label_plural]
    return {
        f"/rest/{spec.name_plural}": {
            "get": {
                "tags": tag,
                "summary": f"List {spec.label_plural}",
                "parameters": _LIST_PARAMETERS,
                "responses": {
                    "200": {
                        "description": "A page",
                        **_envelope(
                            spec.name_plural,
                            {"type": "array", "items": record},
                            {"totalCount": {"type": "integer"}, "pageInfo": page_info},
                        ),
                    },
                    **_ERROR_RESPONSES,
                },
            },
            "post": {
                "tags": tag,
                "summary": f"Create a {spec.label_singular}",
                "requestBody": create_body,
                "responses": {
                    "201": {"description": "Created", **_envelope(f"create{singular}", record)},
                    **_ERROR_RESPONSES,
                },
            },
        },
        f"/rest/batch/{spec.name_plural}": {
            "post": {
                "tags": tag,
                "summary": f"Create several {spec.label_plural} (all or none)",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {"$ref": f"#/components/schemas/{singular}ForCreate"},
                            }
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        **_envelope(f"create{plural}", {"type": "array", "items": record}),
                    },
                    **_ERROR_RESPONSES,
                },
            }
        },
        f"/rest/{spec.name_plural}/{{id}}": {
            "parameters": [_ID_PARAMETER],
            "get": {
                "tags": tag,
                "summary": f"Get a {spec.label_singular}",
                "responses": {
                    "200": {"description": "Found", **_envelope(spec.name_singular, record)},
                    **_ERROR_RESPONSES,
                },
            },
            "patch": {
                "tags": tag,
                "summary": f"Update a {spec.label_singular}",
                "requestBody": update_body,
                "responses": {
                    "200": {"description": "Updated", **_envelope(f"update{singular}", record)},
                    **_ERROR_RESPONSES,
                },
            },
            "delete": {
                "tags": tag,
                "summary": f"Delete a {spec.label_singular}",
                "parameters": [
                    {"name": "soft_delete", "in": "query", "schema": {"type": "boolean"}}
                ],
                "responses": {
                    "200": {
                        "description": "Deleted",
                        **_envelope(
                            f"delete{singular}",
                            {"type": "object", "properties": {"id": {"type": "string"}}},
                        ),
                    },
                    **_ERROR_RESPONSES,
                },
            },
        },
        f"/rest/restore/{spec.name_plural}/{{id}}": {
            "parameters": [_ID_PARAMETER],
            "patch": {
                "tags": tag,
                "summary": f"Restore a soft-deleted {spec.label_singular}",
                "responses": {
                    "200": {"description": "Restored", **_envelope(f"restore{singular}", record)},
                    **_ERROR_RESPONSES,
                },
            },
        },
    }


def _record_output_schema(spec: ObjectSpec) -> dict[str, Any]:
    schema = record_schema(spec, for_create=False)
    schema.pop("$schema", None)
    properties = {
        "id": {"type": "string", "format": "uuid"},
        **schema["properties"],
        "position": {"type": "number"},
        "createdAt": {"type": "string", "format": "date-time"},
        "updatedAt": {"type": "string", "format": "date-time"},
        "deletedAt": {"type": ["string", "null"], "format": "date-time"},
    }
    return {**schema, "properties": properties}


def _write_schema(spec: ObjectSpec, *, for_create: bool) -> dict[str, Any]:
    schema = record_schema(spec, for_create=for_create)
    schema.pop("$schema", None)
    return {**schema, "additionalProperties": False}


def openapi_document(catalog: Catalog) -> dict[str, Any]:
    objects = [o for o in catalog.objects if o.is_active]
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "properties": {
                "statusCode": {"type": "integer"},
                "error": {"type": "string"},
                "messages": {"type": "array", "items": {"type": "string"}},
            },
        },
        "PageInfo": {
            "type": "object",
            "properties": {
                "hasNextPage": {"type": "boolean"},
                "hasPreviousPage": {"type": "boolean"},
                "startCursor": {"type": ["string", "null"]},
                "endCursor": {"type": ["string", "null"]},
            },
        },
    }
    paths: dict[str, Any] = {}
    for spec in objects:
        name = capitalized(spec.name_singular)
        schemas[name] = _record_output_schema(spec)
        schemas[f"{name}ForCreate"] = _write_schema(spec, for_create=True)
        schemas[f"{name}ForUpdate"] = _write_schema(spec, for_create=False)
        paths.update(_paths(spec))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"Hookwire core API — {catalog.display_name}",
            "version": __version__,
            "description": "Records of this workspace over REST, compatible with Twenty's.",
        },
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


@openapi_api.get("/open-api/core")
def core_document() -> dict[str, Any]:
    catalog = current_catalog()
    document = catalog.cached("openapi", lambda: openapi_document(catalog))
    return {**document, "servers": [{"url": request.host_url.rstrip("/")}]}
