"""Checks on what an operation returns, so a platform never receives a malformed result."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from hookwire.connector.errors import ResultError
from hookwire.connector.operations import Target
from hookwire.connector.schema import DEFINITION_SCHEMA

_FIELD_VALIDATOR = Draft202012Validator(
    {**DEFINITION_SCHEMA["$defs"]["field"], "$defs": DEFINITION_SCHEMA["$defs"]}
)
_LISTS_WITH_IDS = ("perform", "performList")


def check_result(target: Target, result: Any) -> Any:
    """``result`` if its shape suits the operation; ResultError naming the problem otherwise."""
    where = target.path
    if target.kind == "triggers" and target.method in _LISTS_WITH_IDS:
        check_items_with_ids(where, result)
    elif target.kind == "searches" and target.method == "perform":
        _check_list_of_objects(where, result)
    elif _returns_object(target) and not isinstance(result, dict):
        raise ResultError(f"{where}: must return an object, got {type(result).__name__}")
    return result


def _returns_object(target: Target) -> bool:
    """Subscribe returns the subscribeData; an action returns the object it made."""
    return target.method == "performSubscribe" or (
        target.kind == "creates" and target.method == "perform"
    )


def check_items_with_ids(where: str, result: Any) -> None:
    """A list of objects, each with an ``id``, no id twice."""
    _check_list_of_objects(where, result)
    seen: dict[Any, int] = {}
    for index, item in enumerate(result):
        if item.get("id") is None:
            raise ResultError(
                f"{where}: item [{index}] has no 'id'; every trigger result needs a unique id"
            )
        key = str(item["id"])
        if key in seen:
            raise ResultError(
                f"{where}: items [{seen[key]}] and [{index}] share the id {item['id']!r}; "
                "ids must be unique"
            )
        seen[key] = index


def _check_list_of_objects(where: str, result: Any) -> None:
    if not isinstance(result, list):
        raise ResultError(f"{where}: must return a list of objects, got {type(result).__name__}")
    for index, item in enumerate(result):
        if not isinstance(item, dict):
            raise ResultError(
                f"{where}: item [{index}] must be an object, got {type(item).__name__}"
            )


def check_fields(where: str, fields: Any) -> list[dict[str, Any]]:
    """Fields returned by an ``inputFields``/``outputFields`` callable, checked as fields."""
    if not isinstance(fields, list):
        raise ResultError(f"{where}: must return a list of fields, got {type(fields).__name__}")
    for index, field in enumerate(fields):
        error = next(iter(_FIELD_VALIDATOR.iter_errors(field)), None)
        if error is not None:
            location = "".join(f".{step}" for step in error.absolute_path)
            raise ResultError(f"{where}: field [{index}]{location}: {error.message}")
    return fields
