"""Filters of ``/metadata`` lists (``ObjectFilter``, ``FieldFilter``), matched as Twenty
matches them: every key must hold, ``and``/``or`` nest, UUIDs compare in lower case and
``like`` patterns use ``%`` and ``_``."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
)

from hookwire.crm.graphql.scalars import UUIDScalar

BooleanFieldComparison = GraphQLInputObjectType(
    "BooleanFieldComparison",
    {"is": GraphQLInputField(GraphQLBoolean), "isNot": GraphQLInputField(GraphQLBoolean)},
)
_UUID_LIST = GraphQLList(GraphQLNonNull(UUIDScalar))
UUIDFilterComparison = GraphQLInputObjectType(
    "UUIDFilterComparison",
    {
        **{
            op: GraphQLInputField(UUIDScalar)
            for op in (
                "eq",
                "neq",
                "gt",
                "gte",
                "lt",
                "lte",
                "like",
                "notLike",
                "iLike",
                "notILike",
            )
        },
        "in": GraphQLInputField(_UUID_LIST),
        "notIn": GraphQLInputField(_UUID_LIST),
    },
)


def _filter_type(
    name: str, uuids: tuple[str, ...], flags: tuple[str, ...]
) -> GraphQLInputObjectType:
    def fields() -> dict[str, GraphQLInputField]:
        own = GraphQLList(GraphQLNonNull(filter_type))
        return {
            "and": GraphQLInputField(own),
            "or": GraphQLInputField(own),
            **{key: GraphQLInputField(UUIDFilterComparison) for key in uuids},
            **{key: GraphQLInputField(BooleanFieldComparison) for key in flags},
        }

    filter_type = GraphQLInputObjectType(name, fields)
    return filter_type


ObjectFilter = _filter_type(
    "ObjectFilter",
    uuids=("id",),
    flags=("isActive", "isCustom", "isRemote", "isSearchable", "isSystem", "isUIReadOnly"),
)
FieldFilter = _filter_type(
    "FieldFilter",
    uuids=("id", "objectMetadataId"),
    flags=("isActive", "isCustom", "isSystem", "isUIReadOnly"),
)


def matching(items: list[dict[str, Any]], filters: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The items (object or field outputs) that ``filters`` selects."""
    return [item for item in items if matches(item, filters or {})]


def matches(item: dict[str, Any], filters: dict[str, Any]) -> bool:
    for key, comparison in filters.items():
        if comparison is None:
            continue
        if key == "and":
            if not all(matches(item, sub) for sub in comparison):
                return False
        elif key == "or":
            if comparison and not any(matches(item, sub) for sub in comparison):
                return False
        elif not _compare(item[key], comparison):
            return False
    return True


def _like(caseless: bool) -> Callable[[Any, str], bool]:
    def test(value: Any, pattern: str) -> bool:
        if not isinstance(value, str):
            return False
        regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
        flags = re.IGNORECASE if caseless else 0
        return re.fullmatch(regex, value, flags | re.DOTALL) is not None

    return test


def _ordered(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    return lambda value, other: isinstance(value, str) and test(value, other)


_COMPARATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda value, other: value == other,
    "neq": lambda value, other: value != other,
    "gt": _ordered(lambda value, other: value > other),
    "gte": _ordered(lambda value, other: value >= other),
    "lt": _ordered(lambda value, other: value < other),
    "lte": _ordered(lambda value, other: value <= other),
    "like": _like(caseless=False),
    "notLike": lambda value, other: not _like(caseless=False)(value, other),
    "iLike": _like(caseless=True),
    "notILike": lambda value, other: not _like(caseless=True)(value, other),
    "in": lambda value, others: value in others,
    "notIn": lambda value, others: value not in others,
}


def _compare(value: Any, comparison: dict[str, Any]) -> bool:
    if isinstance(value, str):
        value = value.lower()  # only UUIDs are compared: Twenty lower-cases them
    for op, other in comparison.items():
        if op in ("is", "isNot"):
            holds = value is None if other is None else value == other
            if holds != (op == "is"):
                return False
        elif other is not None and not _COMPARATORS[op](value, other):
            return False
    return True
