"""Resolvers of the ``/graphql`` records schema: thin calls into the records store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from hookwire.crm.aggregates import TOTAL_COUNT, Aggregate, aggregate_values, available
from hookwire.crm.catalog import JoinColumn, ObjectSpec
from hookwire.crm.counts import Count
from hookwire.crm.filters import Comparator, Condition, Conjunction, FilterNode, has_condition
from hookwire.crm.graphql.arguments import filter_node, list_query, order_keys
from hookwire.crm.graphql.context import GraphContext
from hookwire.crm.group_by import group_by as grouped_records
from hookwire.crm.group_by import group_limit, parse_dimensions, parse_group_order
from hookwire.crm.records import ListQuery, Page, RecordStore
from hookwire.crm.search import search_vector_text
from hookwire.errors import BadRequest, NotFound

Resolver = Callable[..., Any]


def _store(info: GraphQLResolveInfo) -> RecordStore:
    context: GraphContext = info.context
    return context.store


def connection(page: Page) -> dict[str, Any]:
    """A page as Twenty's connection: ``edges``, ``pageInfo``, ``totalCount``."""
    return {
        "edges": [
            {"node": record, "cursor": cursor}
            for record, cursor in zip(page.records, page.cursors, strict=True)
        ],
        "pageInfo": {
            "hasNextPage": page.has_next_page,
            "hasPreviousPage": page.has_previous_page,
            "startCursor": page.start_cursor,
            "endCursor": page.end_cursor,
        },
        "totalCount": page.total_count,
    }


def _selected(info: GraphQLResolveInfo) -> set[str]:
    """The names of the fields selected on what the current field returns (fragments too)."""
    names: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                walk(fragment.selection_set if fragment else None)

    for node in info.field_nodes:
        walk(node.selection_set)
    return names


def _selected_aggregates(spec: ObjectSpec, info: GraphQLResolveInfo) -> list[Aggregate]:
    """The aggregates selected on a connection but ``totalCount``, which the page counts."""
    selected = _selected(info)
    return [a for name, a in available(spec).items() if name in selected and name != TOTAL_COUNT]


def _aggregated(
    spec: ObjectSpec, info: GraphQLResolveInfo, page: Page, node: FilterNode | None
) -> dict[str, Any]:
    """``page`` as a connection, with the selected aggregates over every record ``node``
    matches (not only the page's), computed in one query when any is selected."""
    wanted = _selected_aggregates(spec, info)
    return {**connection(page), **aggregate_values(_store(info), spec, node, wanted)}


def _counted(query: ListQuery, info: GraphQLResolveInfo) -> ListQuery:
    """``query`` counting its matches, exactly as Twenty does, only when the selection asks
    for ``totalCount``: at a million records the count costs ten times the page."""
    return replace(query, count=Count.EXACT if TOTAL_COUNT in _selected(info) else Count.NONE)


def list_page(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        query = _counted(list_query(spec, args), info)
        return _aggregated(spec, info, _store(info).list(spec, query), query.filter)

    return resolve


def find_one(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, filter: dict[str, Any]) -> Any:
        node = filter_node(spec, filter)
        if not has_condition(node):
            raise BadRequest(
                'filter: Missing filter argument; name the record, e.g. {id: {eq: "…"}}'
            )
        page = _store(info).list(spec, ListQuery(filter=node, limit=1, count=Count.NONE))
        if not page.records:
            raise NotFound("Record not found")
        return page.records[0]

    return resolve


def related_record(column: JoinColumn, target: ObjectSpec) -> Resolver:
    """The record a many-to-one relation points to (None when unset or dangling)."""

    def resolve(root: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        related_id = root.get(column.key)
        return _store(info).find(target, related_id) if related_id else None

    return resolve


def related_page(target: ObjectSpec, key: str | None) -> Resolver:
    """A page of ``target``'s records whose relation ``key`` points to the parent record."""

    def resolve(root: dict[str, Any], info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
        query = _counted(list_query(target, args), info)
        if key is None:
            return connection(Page([], 0, False, False))
        pointing = Condition(key, Comparator.EQ, root["id"])
        scoped = pointing if query.filter is None else Conjunction("and", (pointing, query.filter))
        page = _store(info).list(target, replace(query, filter=scoped))
        return _aggregated(target, info, page, scoped)

    return resolve


def search_vector(spec: ObjectSpec) -> Resolver:
    def resolve(root: dict[str, Any], _info: GraphQLResolveInfo) -> str:
        return search_vector_text(spec, root)

    return resolve


def create_one(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, data: dict, upsert: bool = False) -> Any:
        return _store(info).create(spec, data, upsert=bool(upsert))

    return resolve


def create_many(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, data: list, upsert: bool = False) -> Any:
        return _store(info).create_many(spec, data, upsert=bool(upsert))

    return resolve


def update_one(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, id: str, data: dict) -> Any:
        return _store(info).update(spec, id, data)

    return resolve


def update_many(spec: ObjectSpec) -> Resolver:
    def resolve(_root: Any, info: GraphQLResolveInfo, data: dict, filter: dict) -> Any:
        return _store(info).update_many(spec, filter_node(spec, filter), data)

    return resolve


def by_id(spec: ObjectSpec, method: str) -> Resolver:
    """``delete``, ``destroy`` or ``restore`` of one record (the store's ``method``)."""

    def resolve(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
        return getattr(_store(info), method)(spec, id)

    return resolve


def by_filter(spec: ObjectSpec, method: str) -> Resolver:
    """The filtered, many-record form of ``by_id``; an empty filter is refused."""

    def resolve(_root: Any, info: GraphQLResolveInfo, filter: dict) -> Any:
        if not filter:
            raise BadRequest(
                "filter: required and not empty; a change to every record needs a filter "
                "that says so (e.g. {id: {is: NOT_NULL}})"
            )
        return getattr(_store(info), method)(spec, filter_node(spec, filter))

    return resolve


def duplicates(spec: ObjectSpec) -> Resolver:
    def resolve(
        _root: Any, info: GraphQLResolveInfo, ids: list | None = None, data: list | None = None
    ) -> list[dict[str, Any]]:
        return [connection(page) for page in _store(info).duplicates(spec, ids=ids, data=data)]

    return resolve


def group_by(spec: ObjectSpec) -> Resolver:
    """``companiesGroupBy``: a connection per group; its edges (a sample of the group's
    records) are read only when ``edges`` or ``pageInfo`` is selected. ``viewId`` names a
    view, which Hookwire does not have; like Twenty for an unknown view, it adds no filter."""

    def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        groupBy: list[dict[str, Any]],
        filter: dict[str, Any] | None = None,
        orderBy: list[dict[str, Any]] | None = None,
        orderByForRecords: list[dict[str, Any]] | None = None,
        limit: int | None = None,
        **_view: Any,
    ) -> list[dict[str, Any]]:
        store = _store(info)
        dimensions = parse_dimensions(spec, groupBy, "groupBy", store.dialect)
        selected = _selected(info)
        sampled = bool(selected & {"edges", "pageInfo"})
        groups = grouped_records(
            store,
            spec,
            dimensions,
            filter=filter_node(spec, filter) if filter else None,
            order_by=parse_group_order(spec, dimensions, orderBy, "orderBy"),
            order_by_for_records=order_keys(spec, orderByForRecords or []),
            limit=group_limit(limit),
            aggregates=_selected_aggregates(spec, info),
            include_records=sampled,
        )
        return [
            {
                **(connection(group.sample) if group.sample else {}),
                **group.aggregates,
                "totalCount": group.count,
                "groupByDimensionValues": group.dimension_values,
            }
            for group in groups
        ]

    return resolve


def merge(spec: ObjectSpec) -> Resolver:
    def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        ids: list[str],
        conflictPriorityIndex: int,
        dryRun: bool = False,
    ) -> Any:
        return _store(info).merge(spec, ids, conflictPriorityIndex, dry_run=bool(dryRun))

    return resolve
