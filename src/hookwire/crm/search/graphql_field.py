"""The root ``search`` field of ``/graphql`` and its types, named as Twenty names them."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.crm.graphql.limits import FAN_OUT
from hookwire.crm.graphql.scalars import UUIDScalar
from hookwire.crm.graphql.types import DateTimeFilter, UUIDFilter
from hookwire.crm.search.service import MAX_LIMIT, SearchRequest, search

SearchRecord = GraphQLObjectType(
    "SearchRecord",
    {
        "recordId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "objectNameSingular": GraphQLField(GraphQLNonNull(GraphQLString)),
        "objectLabelSingular": GraphQLField(GraphQLNonNull(GraphQLString)),
        "label": GraphQLField(GraphQLNonNull(GraphQLString)),
        "imageUrl": GraphQLField(GraphQLString),
        "tsRankCD": GraphQLField(GraphQLNonNull(GraphQLFloat)),
        "tsRank": GraphQLField(GraphQLNonNull(GraphQLFloat)),
    },
)
SearchResultEdge = GraphQLObjectType(
    "SearchResultEdge",
    {
        "node": GraphQLField(GraphQLNonNull(SearchRecord)),
        "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
    },
)
SearchResultPageInfo = GraphQLObjectType(
    "SearchResultPageInfo",
    {
        "endCursor": GraphQLField(GraphQLString),
        "hasNextPage": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
    },
)
SearchResultConnection = GraphQLObjectType(
    "SearchResultConnection",
    {
        "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(SearchResultEdge)))),
        "pageInfo": GraphQLField(GraphQLNonNull(SearchResultPageInfo)),
    },
)
ObjectRecordFilterInput: GraphQLInputObjectType = GraphQLInputObjectType(
    "ObjectRecordFilterInput",
    lambda: {
        "and": GraphQLInputField(GraphQLList(GraphQLNonNull(ObjectRecordFilterInput))),
        "or": GraphQLInputField(GraphQLList(GraphQLNonNull(ObjectRecordFilterInput))),
        "not": GraphQLInputField(ObjectRecordFilterInput),
        "id": GraphQLInputField(UUIDFilter),
        "createdAt": GraphQLInputField(DateTimeFilter),
        "updatedAt": GraphQLInputField(DateTimeFilter),
        "deletedAt": GraphQLInputField(DateTimeFilter),
    },
)
_NAMES = GraphQLList(GraphQLNonNull(GraphQLString))


def _resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    request = SearchRequest(
        text=args["searchInput"],
        limit=args["limit"],
        after=args.get("after"),
        included=tuple(args.get("includedObjectNameSingulars") or ()),
        excluded=tuple(args.get("excludedObjectNameSingulars") or ()),
        filter=args.get("filter"),
    )
    return search(info.context.session, info.context.catalog, request)


def search_field() -> GraphQLField:
    """``search(searchInput, limit, after, includedObjectNameSingulars,
    excludedObjectNameSingulars, filter): SearchResultConnection!`` for the records schema;
    its resolver reads ``info.context`` (a ``GraphContext``: ``session``, ``catalog``)."""
    return GraphQLField(
        GraphQLNonNull(SearchResultConnection),
        args={
            "searchInput": GraphQLArgument(GraphQLNonNull(GraphQLString)),
            "limit": GraphQLArgument(GraphQLNonNull(GraphQLInt)),
            "after": GraphQLArgument(GraphQLString),
            "includedObjectNameSingulars": GraphQLArgument(_NAMES),
            "excludedObjectNameSingulars": GraphQLArgument(_NAMES),
            "filter": GraphQLArgument(ObjectRecordFilterInput),
        },
        resolve=_resolve,
        description="Records of the searchable objects whose search vectors match searchInput "
        "(each word a prefix), best ranked first.",
        extensions={FAN_OUT: lambda args, _catalog: min(args.get("limit") or 0, MAX_LIMIT)},
    )
