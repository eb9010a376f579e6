"""The JSON Schemas of the OpenAPI document: records as the REST API sends them and writes as
it accepts them, per object, plus the shared error and page-info shapes."""

from __future__ import annotations

from typing import Any

from hookwire.crm.catalog import Catalog, FieldSpec, ObjectSpec
from hookwire.crm.field_types import ValueKind, is_composite, subfields, value_schema
from hookwire.crm.request_context import capitalized
from hookwire.crm.rest.relations import RELATION_LIMIT, relations
from hookwire.crm.validation import record_schema

_SUBFIELD_OUTPUT: dict[ValueKind, dict[str, Any]] = {
    ValueKind.TEXT: {"type": ["string", "null"]},
    ValueKind.NUMBER: {"type": ["number", "null"]},
    ValueKind.BOOLEAN: {"type": ["boolean", "null"]},
    ValueKind.LIST: {"type": ["array", "null"]},
    ValueKind.JSON: {},
}
_SYSTEM_OUTPUT: dict[str, dict[str, Any]] = {
    "position": {"type": "number"},
    "createdAt": {"type": "string", "format": "date-time"},
    "updatedAt": {"type": "string", "format": "date-time"},
    "deletedAt": {"type": ["string", "null"], "format": "date-time"},
}

ERROR: dict[str, Any] = {
    "type": "object",
    "properties": {
        "statusCode": {"type": "integer"},
        "error": {"type": "string"},
        "messages": {"type": "array", "items": {"type": "string"}},
    },
}
PAGE_INFO: dict[str, Any] = {
    "type": "object",
    "properties": {
        "hasNextPage": {"type": "boolean"},
        "hasPreviousPage": {"type": "boolean"},
        "startCursor": {"type": ["string", "null"]},
        "endCursor": {"type": ["string", "null"]},
    },
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def record_name(spec: ObjectSpec) -> str:
    """``Company``: a depth-0 record; ``CompanyForResponse`` adds depth-1 relations."""
    return capitalized(spec.name_singular)


def _output_value(field: FieldSpec) -> dict[str, Any]:
    """A field's value as records show it: composites always whole objects (every subfield,
    server-set ones included); any other value may be null when the record has none."""
    if is_composite(field.type):
        return {
            "type": "object",
            "properties": {s.name: _SUBFIELD_OUTPUT[s.kind] for s in subfields(field.type)},
        }
    return {"anyOf": [value_schema(field.type, field.options), {"type": "null"}]}


def record_schema_output(spec: ObjectSpec) -> dict[str, Any]:
    """A depth-0 record; ``fields=`` returns a subset of these keys (``id`` always)."""
    properties: dict[str, Any] = {"id": {"type": "string", "format": "uuid"}}
    for field in spec.data_fields:
        properties.update((key, _output_value(field)) for key in field.stored_keys)
    properties.update(_SYSTEM_OUTPUT)
    return {"title": spec.label_singular, "type": "object", "properties": properties}


def response_schema(catalog: Catalog, spec: ObjectSpec) -> dict[str, Any]:
    """A record as routes return it: with ``depth=1``, relations embedded; nothing else."""
    embedded: dict[str, Any] = {}
    for relation in relations(catalog, spec):
        target = ref(record_name(relation.target))
        if relation.to_many:
            embedded[relation.name] = {
                "type": "array",
                "items": target,
                "maxItems": RELATION_LIMIT,
                "description": f"depth=1 only: up to {RELATION_LIMIT} "
                f"{relation.target.name_plural} pointing here, first by position.",
            }
        else:
            embedded[relation.name] = {
                "anyOf": [target, {"type": "null"}],
                "description": f"depth=1 only: the {relation.target.name_singular} "
                f"'{relation.key}' names, or null.",
            }
    return {
        "allOf": [ref(record_name(spec)), {"type": "object", "properties": embedded}],
        "unevaluatedProperties": False,
    }


# Text the databases can store has no NUL character (hookwire.inputs refuses it with a 400).
STORABLE_TEXT = "^[^\\u0000]*$"


def _storable(schema: Any) -> Any:
    """``schema`` with every plain string (no pattern, format or enum) limited to storable
    text, as the server holds every body to it."""
    if isinstance(schema, list):
        return [_storable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: _storable(value) for key, value in schema.items()}
    types = schema.get("type")
    is_string = types == "string" or (isinstance(types, list) and "string" in types)
    if is_string and not {"pattern", "format", "enum"} & set(schema):
        result["pattern"] = STORABLE_TEXT
    return result


def write_schema(spec: ObjectSpec, *, for_create: bool) -> dict[str, Any]:
    schema = record_schema(spec, for_create=for_create)
    schema.pop("$schema", None)
    return _storable({**schema, "additionalProperties": False})


def object_schemas(catalog: Catalog, spec: ObjectSpec) -> dict[str, Any]:
    name = record_name(spec)
    return {
        name: record_schema_output(spec),
        f"{name}ForResponse": response_schema(catalog, spec),
        f"{name}ForCreate": write_schema(spec, for_create=True),
        f"{name}ForUpdate": write_schema(spec, for_create=False),
    }
