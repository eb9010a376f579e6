"""Field types: how each one is written, stored, validated, filtered and indexed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class FieldType(StrEnum):
    TEXT = "TEXT"
    NUMBER = "NUMBER"
    NUMERIC = "NUMERIC"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATE_TIME = "DATE_TIME"
    UUID = "UUID"
    SELECT = "SELECT"
    MULTI_SELECT = "MULTI_SELECT"
    RATING = "RATING"
    ARRAY = "ARRAY"
    RAW_JSON = "RAW_JSON"
    RICH_TEXT = "RICH_TEXT"
    POSITION = "POSITION"
    RELATION = "RELATION"
    MORPH_RELATION = "MORPH_RELATION"
    FILES = "FILES"
    TS_VECTOR = "TS_VECTOR"
    ACTOR = "ACTOR"
    FULL_NAME = "FULL_NAME"
    EMAILS = "EMAILS"
    PHONES = "PHONES"
    LINKS = "LINKS"
    CURRENCY = "CURRENCY"
    ADDRESS = "ADDRESS"


class ValueKind(StrEnum):
    """How a stored leaf value compares in SQL."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    LIST = "list"
    JSON = "json"


class RelationType(StrEnum):
    MANY_TO_ONE = "MANY_TO_ONE"
    ONE_TO_MANY = "ONE_TO_MANY"


# Who made a change, as ACTOR values name it (Twenty's FieldActorSource).
ACTOR_SOURCES = (
    "EMAIL", "CALENDAR", "WORKFLOW", "AGENT", "API", "IMPORT", "MANUAL", "SYSTEM", "WEBHOOK",
    "APPLICATION",
)  # fmt: skip


@dataclass(frozen=True)
class SubField:
    name: str
    kind: ValueKind
    indexed: bool = False
    unique_key: bool = False  # the subfield a unique composite field is unique on
    writable: bool = True  # False: set by the server, absent from write inputs

    @property
    def empty(self) -> Any:
        """The stored value of a subfield the client left out (Twenty's convention)."""
        if self.kind is ValueKind.TEXT:
            return ""
        return {} if self.kind is ValueKind.JSON else None


COMPOSITE_SUBFIELDS: dict[FieldType, tuple[SubField, ...]] = {
    FieldType.FULL_NAME: (
        SubField("firstName", ValueKind.TEXT, indexed=True),
        SubField("lastName", ValueKind.TEXT, indexed=True),
    ),
    FieldType.EMAILS: (
        SubField("primaryEmail", ValueKind.TEXT, indexed=True, unique_key=True),
        SubField("additionalEmails", ValueKind.LIST),
    ),
    FieldType.PHONES: (
        SubField("primaryPhoneNumber", ValueKind.TEXT, indexed=True, unique_key=True),
        SubField("primaryPhoneCountryCode", ValueKind.TEXT),
        SubField("primaryPhoneCallingCode", ValueKind.TEXT),
        SubField("additionalPhones", ValueKind.LIST),
    ),
    FieldType.LINKS: (
        SubField("primaryLinkUrl", ValueKind.TEXT, indexed=True, unique_key=True),
        SubField("primaryLinkLabel", ValueKind.TEXT),
        SubField("secondaryLinks", ValueKind.LIST),
    ),
    FieldType.CURRENCY: (
        SubField("amountMicros", ValueKind.NUMBER, indexed=True, unique_key=True),
        SubField("currencyCode", ValueKind.TEXT),
    ),
    FieldType.ADDRESS: (
        SubField("addressStreet1", ValueKind.TEXT),
        SubField("addressStreet2", ValueKind.TEXT),
        SubField("addressCity", ValueKind.TEXT, indexed=True),
        SubField("addressState", ValueKind.TEXT),
        SubField("addressCountry", ValueKind.TEXT),
        SubField("addressPostcode", ValueKind.TEXT),
        SubField("addressLat", ValueKind.NUMBER),
        SubField("addressLng", ValueKind.NUMBER),
    ),
    FieldType.ACTOR: (
        SubField("source", ValueKind.TEXT),
        SubField("workspaceMemberId", ValueKind.TEXT, writable=False),
        SubField("name", ValueKind.TEXT, writable=False),
        SubField("context", ValueKind.JSON),
    ),
}

SCALAR_KINDS: dict[FieldType, ValueKind] = {
    FieldType.TEXT: ValueKind.TEXT,
    FieldType.NUMBER: ValueKind.NUMBER,
    FieldType.NUMERIC: ValueKind.NUMBER,
    FieldType.BOOLEAN: ValueKind.BOOLEAN,
    FieldType.DATE: ValueKind.TEXT,
    FieldType.DATE_TIME: ValueKind.TEXT,
    FieldType.UUID: ValueKind.TEXT,
    FieldType.SELECT: ValueKind.TEXT,
    FieldType.MULTI_SELECT: ValueKind.LIST,
    FieldType.RATING: ValueKind.TEXT,
    FieldType.ARRAY: ValueKind.LIST,
    FieldType.RAW_JSON: ValueKind.JSON,
    FieldType.RICH_TEXT: ValueKind.TEXT,
    FieldType.POSITION: ValueKind.NUMBER,
    FieldType.RELATION: ValueKind.TEXT,
    FieldType.MORPH_RELATION: ValueKind.TEXT,
    FieldType.FILES: ValueKind.LIST,
    FieldType.TS_VECTOR: ValueKind.TEXT,
}

# Scalar kinds worth an expression index: long text and JSON are not sorted or matched exactly.
INDEXED_SCALAR_TYPES = frozenset(SCALAR_KINDS) - {
    FieldType.MULTI_SELECT,
    FieldType.ARRAY,
    FieldType.RAW_JSON,
    FieldType.RICH_TEXT,
    FieldType.FILES,
    FieldType.TS_VECTOR,
}
RELATION_TYPES = frozenset({FieldType.RELATION, FieldType.MORPH_RELATION})

RATING_VALUES = ("RATING_1", "RATING_2", "RATING_3", "RATING_4", "RATING_5")
OPTION_TYPES = frozenset({FieldType.SELECT, FieldType.MULTI_SELECT})


def is_composite(field_type: FieldType | str) -> bool:
    return FieldType(field_type) in COMPOSITE_SUBFIELDS


def subfields(field_type: FieldType | str) -> tuple[SubField, ...]:
    return COMPOSITE_SUBFIELDS.get(FieldType(field_type), ())


def relation_column(field_name: str) -> str:
    """Relations are stored (and written by clients) as ``<name>Id``."""
    return f"{field_name}Id"


def morph_field_name(field_name: str, target: str) -> str:
    """The relation one target of a morph relation shows: ``owner`` to person is ``ownerPerson``."""
    return f"{field_name}{target[:1].upper()}{target[1:]}"


def unique_subfield(field_type: FieldType | str) -> SubField | None:
    """The subfield a unique composite field is unique on (``primaryEmail`` for EMAILS)."""
    return next((s for s in subfields(field_type) if s.unique_key), None)


_TEXT = {"type": "string"}
_NUMBER = {"type": "number"}
_STRING_LIST = {"type": "array", "items": {"type": "string"}}
# A format, not a pattern: JSON Schema patterns are searched, and in Python's re a "$" also
# matches before a trailing newline ("…\n" would pass); the "uuid" format checker (see
# crm.validation) takes the whole string.
_UUID = {"type": "string", "format": "uuid"}

_SUBFIELD_SCHEMAS: dict[ValueKind, dict[str, Any]] = {
    ValueKind.TEXT: {"type": ["string", "null"]},
    ValueKind.NUMBER: {"type": ["number", "null"]},
    ValueKind.LIST: {"type": ["array", "null"]},
    ValueKind.JSON: {},
}


_FILE_ITEM = {
    "type": "object",
    "properties": {
        "fileId": _UUID,
        "label": {"type": "string", "minLength": 1},
        "extension": {"type": ["string", "null"]},
    },
    "required": ["fileId", "label"],
    "additionalProperties": False,
}


def value_schema(field_type: FieldType | str, options: list[dict] | None) -> dict[str, Any]:
    """The JSON Schema of one non-null field value as a client writes it."""
    field_type = FieldType(field_type)
    if field_type is FieldType.ACTOR:
        return {
            "type": "object",
            "properties": {
                "source": {"type": "string", "enum": list(ACTOR_SOURCES)},
                "context": {"type": ["object", "null"]},
            },
            "additionalProperties": False,
        }
    if field_type in COMPOSITE_SUBFIELDS:
        return {
            "type": "object",
            "properties": {
                s.name: _SUBFIELD_SCHEMAS[s.kind] for s in subfields(field_type) if s.writable
            },
            "additionalProperties": False,
        }
    option_values = [option["value"] for option in options or []]
    match field_type:
        case FieldType.TEXT | FieldType.RICH_TEXT | FieldType.TS_VECTOR:
            return _TEXT
        case FieldType.NUMBER | FieldType.NUMERIC | FieldType.POSITION:
            return _NUMBER
        case FieldType.BOOLEAN:
            return {"type": "boolean"}
        case FieldType.DATE:
            return {"type": "string", "format": "date"}
        case FieldType.DATE_TIME:
            return {"type": "string", "format": "date-time"}
        case FieldType.UUID | FieldType.RELATION | FieldType.MORPH_RELATION:
            return dict(_UUID)
        case FieldType.FILES:
            return {"type": "array", "items": _FILE_ITEM}
        case FieldType.SELECT:
            return {"type": "string", "enum": option_values}
        case FieldType.MULTI_SELECT:
            return {"type": "array", "items": {"enum": option_values}, "uniqueItems": True}
        case FieldType.RATING:
            return {"type": "string", "enum": list(RATING_VALUES)}
        case FieldType.ARRAY:
            return _STRING_LIST
        case FieldType.RAW_JSON:
            return {}
    raise ValueError(f"no schema for field type {field_type}")
