"""A field's ``settings``: which keys each field type takes, and what each key's value is.

As Twenty defines them (``FieldMetadataSettingsMapping``): a NUMBER's ``dataType``,
``decimals`` and ``type``; a CURRENCY's ``format`` and ``decimals``; a TEXT's
``displayedMaxRows``; a DATE's or DATE_TIME's ``displayFormat``; an ADDRESS's ``subFields``;
``maxNumberOfValues`` of the types holding several values. A relation's settings name the
other side (``relationType``, ``targetObject``, ``targetFieldName`` …), which
``relation_fields`` checks further against the workspace. Any other key, or a value of another
type, is a 400 naming ``settings.<key>``, so what is stored can always be read back by every
API (the GraphQL schema, OpenAPI, relation lookups); ``readable_settings`` is what readers use
for rows stored before these checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hookwire.crm.field_types import FieldType, RelationType, subfields
from hookwire.errors import BadRequest

Check = Callable[[Any, str], Any]
MAX_TEXT = 200
MAX_TARGETS = 50


def _enum(*allowed: str) -> Check:
    def check(value: Any, where: str) -> str:
        if value not in allowed:
            raise BadRequest(f"{where}: expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return check


def _integer(low: int, high: int) -> Check:
    def check(value: Any, where: str) -> int:
        if type(value) is not int or not low <= value <= high:
            raise BadRequest(f"{where}: expected an integer from {low} to {high}, got {value!r}")
        return value

    return check


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_TEXT:
        raise BadRequest(
            f"{where}: expected a non-empty string of at most {MAX_TEXT} characters, got {value!r}"
        )
    return value


def _optional_text(value: Any, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _texts(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_TARGETS:
        raise BadRequest(f"{where}: expected a list of at most {MAX_TARGETS} names, got {value!r}")
    return [_text(item, f"{where}[{index}]") for index, item in enumerate(value)]


def _text_map(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_TARGETS:
        raise BadRequest(f"{where}: expected an object of names, got {value!r}")
    return {key: _text(item, f"{where}.{key}") for key, item in value.items()}


_ADDRESS_SUBFIELDS = tuple(s.name for s in subfields(FieldType.ADDRESS))


def _address_subfields(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise BadRequest(f"{where}: expected a list of address subfields, got {value!r}")
    return [_enum(*_ADDRESS_SUBFIELDS)(item, f"{where}[{i}]") for i, item in enumerate(value)]


_MAX_VALUES = {"maxNumberOfValues": _integer(1, 10_000)}
_DATE = {
    "displayFormat": _enum("RELATIVE", "USER_SETTINGS", "CUSTOM"),
    "customUnicodeDateFormat": _text,
}
_RELATION_TYPE = _enum(RelationType.MANY_TO_ONE.value, RelationType.ONE_TO_MANY.value)
_ON_DELETE = _enum("CASCADE", "RESTRICT", "SET_NULL", "NO_ACTION")
_RELATION = {
    "relationType": _RELATION_TYPE,
    "targetObject": _text,
    "targetFieldName": _text,
    "targetFieldLabel": _text,
    "targetFieldIcon": _text,
    "onDelete": _ON_DELETE,
    "joinColumnName": _optional_text,
}
SETTINGS: dict[FieldType, dict[str, Check]] = {
    FieldType.NUMBER: {
        "dataType": _enum("float", "int", "bigint"),
        "decimals": _integer(0, 100),
        "type": _enum("number", "percentage", "shortNumber"),
    },
    FieldType.CURRENCY: {"format": _enum("short", "full"), "decimals": _integer(0, 100)},
    FieldType.TEXT: {"displayedMaxRows": _integer(0, 10_000)},
    FieldType.DATE: _DATE,
    FieldType.DATE_TIME: _DATE,
    FieldType.ADDRESS: {"subFields": _address_subfields},
    FieldType.FILES: _MAX_VALUES,
    FieldType.ARRAY: _MAX_VALUES,
    FieldType.EMAILS: _MAX_VALUES,
    FieldType.PHONES: _MAX_VALUES,
    FieldType.LINKS: _MAX_VALUES,
    FieldType.MULTI_SELECT: _MAX_VALUES,
    FieldType.RELATION: _RELATION,
    FieldType.MORPH_RELATION: {
        **_RELATION,
        "targetObjects": _texts,
        "targetFieldNames": _text_map,
    },
}


def check_settings(field_type: FieldType, settings: Any) -> dict[str, Any] | None:
    """``settings`` as given, once every key is one ``field_type`` takes with a value of the
    right type; None stays None."""
    if settings is None:
        return None
    if not isinstance(settings, dict):
        raise BadRequest(f"settings: expected an object, got {settings!r}")
    allowed = SETTINGS.get(field_type, {})
    for key, value in settings.items():
        check = allowed.get(key)
        if check is None:
            expected = (
                f"expected some of {', '.join(sorted(allowed))}"
                if allowed
                else "it takes no settings"
            )
            raise BadRequest(f"settings.{key}: not a setting of a {field_type} field; {expected}")
        check(value, f"settings.{key}")
    return settings


def readable_settings(field_type: FieldType | str, settings: Any) -> dict[str, Any]:
    """The settings stored for a field, as every reader may use them: the keys its type
    takes whose values pass their checks (a row written before the checks may hold others)."""
    if not isinstance(settings, dict):
        return {}
    try:
        allowed = SETTINGS.get(FieldType(field_type), {})
    except ValueError:
        return {}
    readable = {}
    for key, value in settings.items():
        check = allowed.get(key)
        if check is None:
            continue
        try:
            check(value, key)
        except BadRequest:
            continue
        readable[key] = value
    return readable
