"""Input fields at run time: defaults, required checks, type coercion, dropdown choices."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hookwire.connector.errors import ConnectorError

_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off", ""}


def prepare_input(
    fields: list[Mapping[str, Any]], data: Mapping[str, Any], where: str, *, check_required: bool
) -> dict[str, Any]:
    """``data`` with defaults filled in and values coerced to their fields' types.

    Keys without a field pass through untouched: a platform may send more than the form shows.
    """
    prepared = dict(data)
    for field in fields:
        key = field["key"]
        if _is_blank(prepared.get(key)) and "default" in field:
            prepared[key] = field["default"]
        if _is_blank(prepared.get(key)):
            if check_required and field.get("required"):
                label = field.get("label", key)
                raise ConnectorError(f"{where}.{key}: required ({label}); give it a value")
            continue
        prepared[key] = coerce(field, prepared[key], f"{where}.{key}")
    return prepared


def coerce(field: Mapping[str, Any], value: Any, where: str) -> Any:
    """A platform often sends text: turn it into the field's declared type (and list)."""
    if field.get("list"):
        items = _as_list(value, where)
        return [
            _coerce_one(field.get("type", "string"), item, f"{where}[{i}]")
            for i, item in enumerate(items)
        ]
    return _coerce_one(field.get("type", "string"), value, where)


def _coerce_one(kind: str, value: Any, where: str) -> Any:
    if kind == "integer":
        return _number(value, where, int)
    if kind == "number":
        return _number(value, where, float)
    if kind == "boolean":
        return _boolean(value, where)
    if kind == "json" and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise ConnectorError(f"{where}: not valid JSON ({error.msg}); fix the text") from None
    if kind in ("string", "text", "password", "datetime") and isinstance(value, int | float):
        return str(value)
    return value


def _number(value: Any, where: str, kind: type) -> int | float:
    """An int for ``integer`` (and for integral text in ``number``), else a float."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ConnectorError(f"{where}: expected a number, got {value!r}")
    try:
        number = float(value.strip()) if isinstance(value, str) else value
    except ValueError:
        raise ConnectorError(f"{where}: expected a number, got {value!r}") from None
    if kind is int:
        if number != int(number):
            raise ConnectorError(f"{where}: expected a whole number, got {value!r}")
        return int(number)
    if isinstance(value, str) and number.is_integer() and "." not in value:
        return int(number)
    return number


def _boolean(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConnectorError(f"{where}: expected true or false, got {value!r}")


def _as_list(value: Any, where: str) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConnectorError(f"{where}: not a valid JSON list ({error.msg})") from None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in text.split(",") if part.strip()]
    return [value]


def _is_blank(value: Any) -> bool:
    return value is None or value == ""


def dropdown_choices(items: list[Mapping[str, Any]], dynamic: str) -> list[dict[str, Any]]:
    """``[{value, label}]`` from a trigger's items, for a field with ``dynamic`` set."""
    _, id_key, *rest = dynamic.split(".")
    label_key = rest[0] if rest else id_key
    return [
        {"value": item.get(id_key), "label": str(item.get(label_key) or item.get(id_key))}
        for item in items
        if item.get(id_key) is not None
    ]
