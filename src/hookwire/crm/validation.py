"""Record validation: a JSON Schema generated per object from its fields, checked by jsonschema."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from hookwire.crm.catalog import FieldSpec, ObjectSpec
from hookwire.crm.field_types import value_schema
from hookwire.errors import BadRequest

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@FORMAT_CHECKER.checks("uuid")
def _is_uuid(value: object) -> bool:
    return not isinstance(value, str) or _UUID.fullmatch(value) is not None


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


_POSITION = value_schema("POSITION", None)
_WRITABLE_SYSTEM_FIELDS = {"id": value_schema("UUID", None), "position": _POSITION}


def field_schema(field: FieldSpec, *, null_allowed: bool = True) -> dict[str, Any]:
    schema = value_schema(field.type, field.options)
    if field.is_nullable and null_allowed:
        # if/then/else instead of anyOf keeps jsonschema's messages about the real type.
        return {"if": {"type": "null"}, "then": True, "else": schema}
    return schema


def record_schema(
    spec: ObjectSpec, *, for_create: bool, null_allowed: bool = True
) -> dict[str, Any]:
    """The JSON Schema a create (all required fields) or an update (any subset) must meet.
    Without ``null_allowed``, a nullable field's schema is its value's only: what the
    validator checks once the nulls are set aside."""
    properties = dict(_WRITABLE_SYSTEM_FIELDS) if for_create else {"position": _POSITION}
    properties.update(
        {
            key: field_schema(f, null_allowed=null_allowed)
            for f in spec.data_fields
            for key in f.stored_keys
        }
    )
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": spec.label_singular,
        "type": "object",
        "properties": properties,
    }
    if for_create:
        schema["required"] = [
            f.storage_name
            for f in spec.data_fields
            if not f.is_nullable and f.default_value is None
        ]
    return schema


def validator(spec: ObjectSpec, *, for_create: bool) -> Draft202012Validator:
    """The validator of writes whose nulls for nullable fields are set aside: evaluating
    ``if: {type: null}`` on every non-null value (an error object each time) was most of a
    write's validation."""
    key = "validator.create" if for_create else "validator.update"
    return spec.cached(
        key,
        lambda: Draft202012Validator(
            record_schema(spec, for_create=for_create, null_allowed=False),
            format_checker=FORMAT_CHECKER,
        ),
    )


def _nullable_keys(spec: ObjectSpec) -> frozenset[str]:
    return spec.cached(
        "keys.nullable",
        lambda: frozenset(key for f in spec.data_fields if f.is_nullable for key in f.stored_keys),
    )


def validate_record(spec: ObjectSpec, data: Any, *, for_create: bool, where: str = "") -> None:
    """Raise ``BadRequest`` naming every offending field when ``data`` is not a valid write."""
    if not isinstance(data, dict):
        raise BadRequest(
            f"{where.strip() or 'body'}: expected a JSON object with the record's fields"
        )
    allowed = _allowed_keys(spec, for_create)
    unknown = [key for key in data if key not in allowed]
    messages = [_unknown_field_message(spec, key, where) for key in unknown]
    nullable = _nullable_keys(spec)
    checked = {k: v for k, v in data.items() if v is not None or k not in nullable}
    errors = sorted(
        validator(spec, for_create=for_create).iter_errors(checked), key=lambda e: list(e.path)
    )
    messages += [_message(spec, error, where) for error in errors]
    if messages:
        raise BadRequest(*messages)


def _allowed_keys(spec: ObjectSpec, for_create: bool) -> frozenset[str]:
    def keys() -> frozenset[str]:
        stored = {key for f in spec.data_fields for key in f.stored_keys}
        extra = set(_WRITABLE_SYSTEM_FIELDS) if for_create else {"position"}
        return frozenset(stored | extra)

    return spec.cached("keys.create" if for_create else "keys.update", keys)


def _unknown_field_message(spec: ObjectSpec, key: str, where: str) -> str:
    hint = ""
    field = next((f for f in spec.fields if f.is_active and f.name == key), None)
    if field is not None and field.join_columns and field.stored_keys != (key,):
        hint = f" (relations are written as {' or '.join(repr(k) for k in field.stored_keys)})"
    elif field is not None and field.to_many:
        hint = " (it lists the records that point here; set the relation on them)"
    elif key in ("createdAt", "updatedAt", "deletedAt", "searchVector"):
        hint = " (it is set by the server)"
    return f"{where}field '{key}' does not exist on object '{spec.name_singular}'{hint}"


def _message(spec: ObjectSpec, error: ValidationError, where: str) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    subject = f"{where}field '{path}'" if path else f"{where}{spec.name_singular}"
    match error.validator:
        case "required":
            missing = error.message.split("'")[1]
            return f"{where}field '{missing}' is required on object '{spec.name_singular}'"
        case "type":
            expected = error.validator_value
            expected = " or ".join(expected) if isinstance(expected, list) else expected
            return f"{subject}: expected {expected}, got {describe_value(error.instance)}"
        case "enum":
            allowed = ", ".join(str(v) for v in error.validator_value) or "(no options)"
            return f"{subject}: expected one of {allowed}, got {describe_value(error.instance)}"
        case "format" if error.validator_value == "uuid":
            return f"{subject}: expected a UUID, got {describe_value(error.instance)}"
        case "format":
            example = "2024-01-31" if error.validator_value == "date" else "2024-01-31T09:00:00Z"
            return (
                f"{subject}: expected an ISO 8601 {error.validator_value} such as {example}, "
                f"got {describe_value(error.instance)}"
            )
        case "pattern":
            return f"{subject}: expected a UUID, got {describe_value(error.instance)}"
        case "uniqueItems":
            return f"{subject}: values must be unique"
        case "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(error.schema.get("properties", {}))
            return f"{subject}: unknown subfield {', '.join(extra)}; expected {allowed}"
    return f"{subject}: {error.message}"


def describe_value(value: Any) -> str:
    """A JSON value as a message names it: ``string 'x'``, ``integer 3``, ``null``."""
    kind = {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        dict: "object",
        type(None): "null",
    }.get(type(value), type(value).__name__)
    text = "" if isinstance(value, (dict, list)) or value is None else repr(value)
    return f"{kind} {text}".strip()
