"""GraphQL types shared by every workspace: composites, filters, directions, page info."""

from __future__ import annotations

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
)

from hookwire.crm.field_types import (
    COMPOSITE_SUBFIELDS,
    RATING_VALUES,
    FieldType,
    SubField,
    ValueKind,
)
from hookwire.crm.filters import Direction
from hookwire.crm.graphql.scalars import (
    BigFloatScalar,
    DateScalar,
    DateTimeScalar,
    JSONScalar,
    UUIDScalar,
)

FilterIs = GraphQLEnumType("FilterIs", {"NULL": "NULL", "NOT_NULL": "NOT_NULL"})
OrderByDirection = GraphQLEnumType("OrderByDirection", {d.value: d.value for d in Direction})
RatingEnum = GraphQLEnumType("RatingEnum", {value: value for value in RATING_VALUES})

PageInfo = GraphQLObjectType(
    "PageInfo",
    {
        "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "hasPreviousPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "startCursor": GraphQLField(GraphQLString),
        "endCursor": GraphQLField(GraphQLString),
    },
)

Workspace = GraphQLObjectType(
    "Workspace",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "displayName": GraphQLField(GraphQLString),
    },
)


def _filter(
    name: str, value: GraphQLInputType, comparators: tuple[str, ...]
) -> GraphQLInputObjectType:
    fields: dict[str, GraphQLInputField] = {}
    for comparator in comparators:
        if comparator in ("in", "containsAny"):
            fields[comparator] = GraphQLInputField(GraphQLList(GraphQLNonNull(value)))
        elif comparator == "is":
            fields[comparator] = GraphQLInputField(FilterIs)
        else:
            fields[comparator] = GraphQLInputField(value)
    return GraphQLInputObjectType(name, fields)


_TEXT_COMPARATORS = ("eq", "neq", "in", "like", "ilike", "startsWith", "endsWith", "is")
_RANGE_COMPARATORS = ("eq", "neq", "in", "gt", "gte", "lt", "lte", "is")
_ENUM_COMPARATORS = ("eq", "neq", "in", "is")

StringFilter = _filter("StringFilter", GraphQLString, _TEXT_COMPARATORS)
FloatFilter = _filter("FloatFilter", GraphQLFloat, _RANGE_COMPARATORS)
BigFloatFilter = _filter("BigFloatFilter", BigFloatScalar, _RANGE_COMPARATORS)
BooleanFilter = _filter("BooleanFilter", GraphQLBoolean, ("eq", "is"))
DateFilter = _filter("DateFilter", DateScalar, _RANGE_COMPARATORS)
DateTimeFilter = _filter("DateTimeFilter", DateTimeScalar, _RANGE_COMPARATORS)
UUIDFilter = _filter("UUIDFilter", UUIDScalar, ("eq", "neq", "in", "is"))
ArrayFilter = _filter("ArrayFilter", GraphQLString, ("containsAny", "is"))
RawJsonFilter = _filter("RawJsonFilter", JSONScalar, ("is",))
RatingFilter = _filter("RatingFilter", RatingEnum, _ENUM_COMPARATORS)


def enum_filter(enum: GraphQLEnumType, *, multi: bool) -> GraphQLInputObjectType:
    comparators = ("containsAny", "is") if multi else _ENUM_COMPARATORS
    return _filter(f"{enum.name}Filter", enum, comparators)


# How each scalar field type appears: output type, input type, filter input.
SCALAR_TYPES: dict[
    FieldType, tuple[GraphQLOutputType, GraphQLInputType, GraphQLInputObjectType]
] = {
    FieldType.TEXT: (GraphQLString, GraphQLString, StringFilter),
    FieldType.RICH_TEXT: (GraphQLString, GraphQLString, StringFilter),
    FieldType.NUMBER: (GraphQLFloat, GraphQLFloat, FloatFilter),
    FieldType.NUMERIC: (BigFloatScalar, BigFloatScalar, BigFloatFilter),
    FieldType.POSITION: (GraphQLFloat, GraphQLFloat, FloatFilter),
    FieldType.BOOLEAN: (GraphQLBoolean, GraphQLBoolean, BooleanFilter),
    FieldType.DATE: (DateScalar, DateScalar, DateFilter),
    FieldType.DATE_TIME: (DateTimeScalar, DateTimeScalar, DateTimeFilter),
    FieldType.UUID: (UUIDScalar, UUIDScalar, UUIDFilter),
    FieldType.RELATION: (UUIDScalar, UUIDScalar, UUIDFilter),
    FieldType.RATING: (RatingEnum, RatingEnum, RatingFilter),
    FieldType.ARRAY: (GraphQLList(GraphQLString), GraphQLList(GraphQLString), ArrayFilter),
    FieldType.RAW_JSON: (JSONScalar, JSONScalar, RawJsonFilter),
}

_SUBFIELD_TYPES: dict[ValueKind, tuple[GraphQLOutputType, GraphQLInputObjectType]] = {
    ValueKind.TEXT: (GraphQLString, StringFilter),
    ValueKind.NUMBER: (GraphQLFloat, FloatFilter),
    ValueKind.LIST: (JSONScalar, RawJsonFilter),
}


def _subfield_output(subfield: SubField) -> GraphQLOutputType:
    if subfield.name == "amountMicros":
        return BigFloatScalar
    return _SUBFIELD_TYPES[subfield.kind][0]


def _subfield_filter(subfield: SubField) -> GraphQLInputObjectType:
    if subfield.name == "amountMicros":
        return BigFloatFilter
    return _SUBFIELD_TYPES[subfield.kind][1]


def _composite_name(field_type: FieldType) -> str:
    return "".join(part.capitalize() for part in field_type.value.split("_"))


def _composites() -> dict[FieldType, dict[str, GraphQLObjectType | GraphQLInputObjectType]]:
    built = {}
    for field_type, parts in COMPOSITE_SUBFIELDS.items():
        name = _composite_name(field_type)
        built[field_type] = {
            "output": GraphQLObjectType(
                name, {s.name: GraphQLField(_subfield_output(s)) for s in parts}
            ),
            "input": GraphQLInputObjectType(
                f"{name}Input",
                {s.name: GraphQLInputField(_subfield_output(s)) for s in parts},  # type: ignore[arg-type]
            ),
            "filter": GraphQLInputObjectType(
                f"{name}Filter", {s.name: GraphQLInputField(_subfield_filter(s)) for s in parts}
            ),
            "orderBy": GraphQLInputObjectType(
                f"{name}OrderBy", {s.name: GraphQLInputField(OrderByDirection) for s in parts}
            ),
        }
    return built


COMPOSITE_TYPES = _composites()
