"""Cursor connections on ``/metadata``: Twenty's ``CursorPaging`` over in-memory lists.

Page sizes follow Twenty's metadata resolvers: without ``paging`` a connection holds the first
10 items, and a page of more than 1000 is refused, not capped. So ``objects { … }`` without
paging answers as Twenty does (the first ten objects, ``hasNextPage`` saying whether there are
more); clients that want everything ask for ``paging: {first: 1000}``, as Twenty's own do, or
read ``fieldsList``, which is not paged.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)

from hookwire.crm.catalog import Catalog
from hookwire.crm.graphql.limits import FanOut
from hookwire.crm.graphql.types import PageInfo
from hookwire.errors import BadRequest

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

CursorPaging = GraphQLInputObjectType(
    "CursorPaging",
    {
        "first": GraphQLInputField(GraphQLInt),
        "after": GraphQLInputField(GraphQLString),
        "last": GraphQLInputField(GraphQLInt),
        "before": GraphQLInputField(GraphQLString),
    },
)


def edge(name: str, node: GraphQLObjectType) -> GraphQLObjectType:
    """``{name}Edge { node cursor }``."""
    return GraphQLObjectType(
        f"{name}Edge",
        {
            "node": GraphQLField(GraphQLNonNull(node)),
            "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
        },
    )


def connection(name: str, edge_type: GraphQLObjectType) -> GraphQLObjectType:
    """``{name} { edges pageInfo totalCount }``; ``totalCount`` is ours (Twenty's metadata
    connections lack it), harmless to clients that don't ask for it."""
    return GraphQLObjectType(
        name,
        {
            "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge_type)))),
            "pageInfo": GraphQLField(GraphQLNonNull(PageInfo)),
            "totalCount": GraphQLField(GraphQLNonNull(GraphQLInt)),
        },
    )


def page_bound(existing: Callable[[Catalog], int]) -> FanOut:
    """A ``fan_out`` for the cost limit: a page holds at most what the workspace has
    (``existing``), and at most the page size asked for (or the default)."""

    def bound(args: dict[str, Any], catalog: Catalog) -> int:
        paging = args.get("paging") or {}
        sizes = [size for size in (paging.get("first"), paging.get("last")) if size is not None]
        return min(existing(catalog), max(sizes[0], 0) if sizes else DEFAULT_PAGE_SIZE)

    return bound


def page_size(paging: dict[str, Any]) -> int:
    """The page size ``paging`` asks for, refused as Twenty refuses it."""
    first, last = paging.get("first"), paging.get("last")
    after, before = paging.get("after"), paging.get("before")
    for clash, message in (
        (first is not None and last is not None, "cannot use both first and last"),
        (first is not None and before is not None, "cannot use first with before"),
        (last is not None and after is not None, "cannot use last with after"),
        (after is not None and before is not None, "cannot use both after and before"),
    ):
        if clash:
            raise BadRequest(f"paging: {message}")
    size = first if first is not None else last if last is not None else DEFAULT_PAGE_SIZE
    if size < 0:
        raise BadRequest("paging: page size cannot be negative")
    if size > MAX_PAGE_SIZE:
        raise BadRequest(
            f"paging: requested page size of {size} exceeds the maximum size of {MAX_PAGE_SIZE}"
        )
    return size


def paginate(items: list[Any], paging: dict[str, Any] | None) -> dict[str, Any]:
    """One page of ``items`` as a connection; cursors are positions in the list."""
    paging = paging or {}
    size = page_size(paging)
    if paging.get("last") is not None or paging.get("before") is not None:
        end = _decode(paging["before"]) if paging.get("before") is not None else len(items)
        end = min(end, len(items))
        start = max(end - size, 0)
    else:
        start = _decode(paging["after"]) + 1 if paging.get("after") is not None else 0
        end = min(start + size, len(items))
    edges = [{"node": items[i], "cursor": _encode(i)} for i in range(start, max(start, end))]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(items),
    }


def _encode(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "offset":
            raise ValueError
        return max(int(value), 0)
    except ValueError:
        raise BadRequest(f"paging: invalid cursor '{cursor}'") from None
