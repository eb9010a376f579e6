"""GraphQL types shared by every workspace: composites, filters, directions, page info.

Names follow Twenty's (``FullName``, ``FullNameCreateInput``, ``FullNameFilterInput``,
``StringFilter``…), since clients generated from Twenty's schema refer to them.
"""

from __future__ import annotations

from dataclasses import dataclass

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

from hookwire.crm.date_buckets import Granularity, WeekStart
from hookwire.crm.field_types import (
    ACTOR_SOURCES,
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
    RawJSONScalar,
    TSVectorScalar,
    UUIDScalar,
)

FilterIs = GraphQLEnumType("FilterIs", {"NULL": "NULL", "NOT_NULL": "NOT_NULL"})
OrderByDirection = GraphQLEnumType("OrderByDirection", {d.value: d.value for d in Direction})
RatingEnum = GraphQLEnumType("RatingEnum", {value: value for value in RATING_VALUES})
ActorSourceEnum = GraphQLEnumType("ActorSourceEnum", {value: value for value in ACTOR_SOURCES})
DateGranularityEnum = GraphQLEnumType(
    "DateGranularityEnum", {granularity.value: granularity.value for granularity in Granularity}
)
FirstDayOfTheWeek = GraphQLEnumType("FirstDayOfTheWeek", {d.value: d.value for d in WeekStart})

GroupByDateGranularityInput = GraphQLInputObjectType(
    "GroupByDateGranularityInput",
    {
        "granularity": GraphQLInputField(DateGranularityEnum),
        "weekStartDay": GraphQLInputField(
            FirstDayOfTheWeek, description="Defaults to MONDAY if not specified"
        ),
        "timeZone": GraphQLInputField(
            GraphQLString,
            description="An IANA zone (Europe/Paris), UTC, or an offset (+05:30); required "
            "for DAY, WEEK, MONTH, QUARTER and YEAR",
        ),
    },
)
OrderByDateGranularityInput = GraphQLInputObjectType(
    "OrderByDateGranularityInput",
    {
        "orderBy": GraphQLInputField(OrderByDirection),
        "granularity": GraphQLInputField(DateGranularityEnum),
    },
)

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


_RANGE = ("eq", "neq", "in", "gt", "gte", "lt", "lte", "is")
_TEXT_COMPARATORS = (*_RANGE, "like", "ilike", "startsWith", "endsWith")
_ENUM_COMPARATORS = ("eq", "neq", "in", "is")

StringFilter = _filter("StringFilter", GraphQLString, _TEXT_COMPARATORS)
FloatFilter = _filter("FloatFilter", GraphQLFloat, _RANGE)
BigFloatFilter = _filter("BigFloatFilter", BigFloatScalar, _RANGE)
BooleanFilter = _filter("BooleanFilter", GraphQLBoolean, ("eq", "is"))
DateFilter = _filter("DateFilter", DateScalar, _RANGE)
DateTimeFilter = _filter("DateTimeFilter", DateTimeScalar, _RANGE)
UUIDFilter = _filter("UUIDFilter", UUIDScalar, _RANGE)
ArrayFilter = _filter("ArrayFilter", GraphQLString, ("containsAny", "is"))
RawJsonFilter = _filter("RawJsonFilter", JSONScalar, ("is",))
RatingFilter = _filter("RatingFilter", RatingEnum, _ENUM_COMPARATORS)
TSVectorFilter = GraphQLInputObjectType(
    "TSVectorFilter",
    {
        "search": GraphQLInputField(
            GraphQLString, description="Words the record's searchable fields contain (prefixes)."
        )
    },
)


def enum_filter(enum: GraphQLEnumType, *, multi: bool) -> GraphQLInputObjectType:
    comparators = ("containsAny", "is") if multi else _ENUM_COMPARATORS
    return _filter(f"{enum.name}Filter", enum, comparators)


ActorSourceFilter = enum_filter(ActorSourceEnum, multi=False)

FileObject = GraphQLObjectType(
    "FileObject",
    {
        "fileId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "label": GraphQLField(GraphQLNonNull(GraphQLString)),
        "extension": GraphQLField(GraphQLString),
        "url": GraphQLField(GraphQLString),
    },
)
FileItemInput = GraphQLInputObjectType(
    "FileItemInput",
    {
        "fileId": GraphQLInputField(GraphQLNonNull(UUIDScalar)),
        "label": GraphQLInputField(GraphQLNonNull(GraphQLString)),
    },
)


@dataclass(frozen=True)
class ScalarTypes:
    """How a scalar field type appears: output, input and filter types."""

    output: GraphQLOutputType
    input: GraphQLInputType
    filter: GraphQLInputObjectType


SCALAR_TYPES: dict[FieldType, ScalarTypes] = {
    FieldType.TEXT: ScalarTypes(GraphQLString, GraphQLString, StringFilter),
    FieldType.RICH_TEXT: ScalarTypes(GraphQLString, GraphQLString, StringFilter),
    FieldType.NUMBER: ScalarTypes(GraphQLFloat, GraphQLFloat, FloatFilter),
    FieldType.NUMERIC: ScalarTypes(BigFloatScalar, BigFloatScalar, BigFloatFilter),
    FieldType.POSITION: ScalarTypes(GraphQLFloat, GraphQLFloat, FloatFilter),
    FieldType.BOOLEAN: ScalarTypes(GraphQLBoolean, GraphQLBoolean, BooleanFilter),
    FieldType.DATE: ScalarTypes(DateScalar, DateScalar, DateFilter),
    FieldType.DATE_TIME: ScalarTypes(DateTimeScalar, DateTimeScalar, DateTimeFilter),
    FieldType.UUID: ScalarTypes(UUIDScalar, UUIDScalar, UUIDFilter),
    FieldType.RELATION: ScalarTypes(UUIDScalar, UUIDScalar, UUIDFilter),
    FieldType.MORPH_RELATION: ScalarTypes(UUIDScalar, UUIDScalar, UUIDFilter),
    FieldType.RATING: ScalarTypes(RatingEnum, RatingEnum, RatingFilter),
    FieldType.ARRAY: ScalarTypes(
        GraphQLList(GraphQLString), GraphQLList(GraphQLString), ArrayFilter
    ),
    FieldType.RAW_JSON: ScalarTypes(JSONScalar, JSONScalar, RawJsonFilter),
    FieldType.FILES: ScalarTypes(
        GraphQLList(GraphQLNonNull(FileObject)),
        GraphQLList(GraphQLNonNull(FileItemInput)),
        RawJsonFilter,
    ),
    FieldType.TS_VECTOR: ScalarTypes(TSVectorScalar, TSVectorScalar, TSVectorFilter),
}

_SUBFIELD_TYPES: dict[ValueKind, tuple[GraphQLOutputType, GraphQLInputObjectType]] = {
    ValueKind.TEXT: (GraphQLString, StringFilter),
    ValueKind.NUMBER: (GraphQLFloat, FloatFilter),
    ValueKind.LIST: (RawJSONScalar, RawJsonFilter),
    ValueKind.JSON: (JSONScalar, RawJsonFilter),
}
# Subfields whose type is not their kind's: amounts in micros exceed 32-bit integers, and
# an actor's source is one of Twenty's sources.
_SPECIAL_SUBFIELDS: dict[str, tuple[GraphQLOutputType, GraphQLInputObjectType]] = {
    "amountMicros": (BigFloatScalar, BigFloatFilter),
    "source": (ActorSourceEnum, ActorSourceFilter),
    "workspaceMemberId": (UUIDScalar, UUIDFilter),
}


# Subfields a group can share a value of (lists and JSON are not grouped by).
_GROUPABLE = frozenset({ValueKind.TEXT, ValueKind.NUMBER, ValueKind.BOOLEAN})


def _subfield_types(subfield: SubField) -> tuple[GraphQLOutputType, GraphQLInputObjectType]:
    return _SPECIAL_SUBFIELDS.get(subfield.name) or _SUBFIELD_TYPES[subfield.kind]


def composite_type_name(field_type: FieldType) -> str:
    """``FULL_NAME`` as ``FullName``, Twenty's name for the composite's types."""
    return "".join(part.capitalize() for part in field_type.value.split("_"))


@dataclass(frozen=True)
class CompositeTypes:
    output: GraphQLObjectType
    create: GraphQLInputObjectType
    update: GraphQLInputObjectType
    filter: GraphQLInputObjectType
    order_by: GraphQLInputObjectType
    group_by: GraphQLInputObjectType


def _composite(field_type: FieldType, parts: tuple[SubField, ...]) -> CompositeTypes:
    name = composite_type_name(field_type)
    writable = [s for s in parts if s.writable]

    def write_input(kind: str) -> GraphQLInputObjectType:
        return GraphQLInputObjectType(
            f"{name}{kind}Input",
            {s.name: GraphQLInputField(_subfield_types(s)[0]) for s in writable},  # type: ignore[arg-type]
        )

    return CompositeTypes(
        output=GraphQLObjectType(
            name, {s.name: GraphQLField(_subfield_types(s)[0]) for s in parts}
        ),
        create=write_input("Create"),
        update=write_input("Update"),
        filter=GraphQLInputObjectType(
            f"{name}FilterInput", {s.name: GraphQLInputField(_subfield_types(s)[1]) for s in parts}
        ),
        order_by=GraphQLInputObjectType(
            f"{name}OrderByInput", {s.name: GraphQLInputField(OrderByDirection) for s in parts}
        ),
        group_by=GraphQLInputObjectType(
            f"{name}GroupByInput",
            {s.name: GraphQLInputField(GraphQLBoolean) for s in parts if s.kind in _GROUPABLE},
        ),
    )


COMPOSITE_TYPES: dict[FieldType, CompositeTypes] = {
    field_type: _composite(field_type, parts) for field_type, parts in COMPOSITE_SUBFIELDS.items()
}
