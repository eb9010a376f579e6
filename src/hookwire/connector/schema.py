"""The JSON Schema (draft 2020-12) every connector definition must satisfy.

``description`` on a constrained property doubles as the hint that validation errors give, so
it says what a valid value looks like.
"""

from __future__ import annotations

from typing import Any

from hookwire.connector.references import REFERENCE_PATTERN

KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
FIELD_TYPES = (
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "datetime",
    "file",
    "password",
    "json",
)
AUTH_TYPES = ("custom", "basic", "bearer", "oauth2")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

_CALLABLE = {
    "type": "string",
    "pattern": REFERENCE_PATTERN,
    "description": "a callable's name, like 'package.module:function'",
}
_REQUEST = {
    "type": "object",
    "required": ["url"],
    "additionalProperties": False,
    "properties": {
        "method": {"enum": list(HTTP_METHODS)},
        "url": {"type": "string", "minLength": 1},
        "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        "params": {
            "type": "object",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "body": {"type": ["object", "array", "string", "null"]},
        "raiseForStatus": {"type": "boolean"},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
    },
}
_CHOICE = {
    "type": "object",
    "required": ["value", "label"],
    "additionalProperties": False,
    "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
}
_FIELD = {
    "type": "object",
    "required": ["key"],
    "additionalProperties": False,
    "properties": {
        "key": {
            "type": "string",
            "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$",
            "description": "letters, digits and _ (use a__b for a composite's subfield)",
        },
        "label": {"type": "string"},
        "type": {"enum": list(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "list": {"type": "boolean"},
        "choices": {
            "oneOf": [
                {"type": "array", "items": {"oneOf": [{"type": "string"}, _CHOICE]}},
                {"type": "object", "additionalProperties": {"type": "string"}},
            ]
        },
        "default": {},
        "helpText": {"type": "string"},
        "placeholder": {"type": "string"},
        "dynamic": {
            "type": "string",
            "pattern": r"^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$",
            "description": "'trigger_key.idKey' or 'trigger_key.idKey.labelKey'",
        },
        "altersDynamicFields": {"type": "boolean"},
    },
}
_FIELDS = {"type": "array", "items": {"oneOf": [{"$ref": "#/$defs/field"}, _CALLABLE]}}
_DISPLAY = {
    "type": "object",
    "required": ["label", "description"],
    "additionalProperties": False,
    "properties": {
        "label": {"type": "string", "minLength": 1},
        "description": {"type": "string", "minLength": 1},
        "hidden": {"type": "boolean"},
        "important": {"type": "boolean"},
    },
}
_PERFORM = {"oneOf": [{"$ref": "#/$defs/request"}, {"$ref": "#/$defs/callable"}]}
_COMMON_OPERATION = {
    "perform": _PERFORM,
    "inputFields": _FIELDS,
    "outputFields": _FIELDS,
    "sample": {"type": "object"},
}


def _operation(extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["perform"],
        "additionalProperties": False,
        "properties": {**_COMMON_OPERATION, **extra},
    }


def _component(operation: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["key", "noun", "display", "operation"],
        "additionalProperties": False,
        "properties": {
            "key": {"type": "string"},
            "noun": {"type": "string", "minLength": 1},
            "display": {"$ref": "#/$defs/display"},
            "operation": {"$ref": f"#/$defs/{operation}"},
        },
    }


def _components(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "propertyNames": {
            "pattern": KEY_PATTERN,
            "description": "a letter, then letters, digits or _",
        },
        "additionalProperties": {"$ref": f"#/$defs/{ref}"},
    }


DEFINITION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://hookwire.dev/schemas/connector-definition.json",
    "title": "Hookwire connector definition",
    "type": "object",
    "required": ["key", "version"],
    "additionalProperties": False,
    "properties": {
        "key": {
            "type": "string",
            "pattern": KEY_PATTERN,
            "description": "a letter, then letters, digits or _",
        },
        "version": {
            "type": "string",
            "pattern": r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$",
            "description": "a semantic version like '1.0.0'",
        },
        "title": {"type": "string"},
        "description": {"type": "string"},
        "authentication": {"$ref": "#/$defs/authentication"},
        "triggers": _components("trigger"),
        "creates": _components("create"),
        "searches": _components("search"),
        "beforeRequest": {"type": "array", "items": {"$ref": "#/$defs/callable"}},
        "afterResponse": {"type": "array", "items": {"$ref": "#/$defs/callable"}},
    },
    "$defs": {
        "callable": _CALLABLE,
        "request": _REQUEST,
        "field": _FIELD,
        "display": _DISPLAY,
        "authentication": {
            "type": "object",
            "required": ["type", "test"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": list(AUTH_TYPES)},
                "fields": _FIELDS,
                "test": _PERFORM,
                "connectionLabel": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/request"}]},
                "oauth2Config": {"$ref": "#/$defs/oauth2Config"},
            },
            "allOf": [
                {
                    "if": {"properties": {"type": {"const": "oauth2"}}, "required": ["type"]},
                    "then": {"required": ["oauth2Config"]},
                }
            ],
        },
        "oauth2Config": {
            "type": "object",
            "required": ["authorizeUrl", "getAccessToken"],
            "additionalProperties": False,
            "properties": {
                "authorizeUrl": {"oneOf": [{"type": "string"}, {"$ref": "#/$defs/request"}]},
                "getAccessToken": _PERFORM,
                "refreshAccessToken": _PERFORM,
                "autoRefresh": {"type": "boolean"},
                "scope": {"type": "string"},
                "clientId": {"type": "string"},
                "clientSecret": {"type": "string"},
            },
        },
        "triggerOperation": _operation(
            {
                "type": {"enum": ["polling", "hook"]},
                "performList": _PERFORM,
                "performSubscribe": _PERFORM,
                "performUnsubscribe": _PERFORM,
                "canPaginate": {"type": "boolean"},
            }
        ),
        "createOperation": _operation({}),
        "searchOperation": _operation({}),
        "trigger": _component("triggerOperation"),
        "create": _component("createOperation"),
        "search": _component("searchOperation"),
    },
}
