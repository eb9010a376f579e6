"""Refusing queries too deep or too costly before executing them.

Cost counts the field values a query could produce: each field costs the number of parent
items it is resolved for, and a connection multiplies its children by ``first``/``last``
(or the default page size). Introspection is exempt: IDEs send deep but cheap queries.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)

from hookwire.crm.records import DEFAULT_LIMIT

MAX_DEPTH = 12
MAX_COST = 50_000


class QueryTooComplex(GraphQLError):
    pass


def check_limits(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any] | None,
) -> None:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return
    depth, cost = _measure(operation.selection_set, root, fragments, variables or {}, 1, 1)
    if depth > MAX_DEPTH:
        raise QueryTooComplex(
            f"Query is {depth} levels deep; the limit is {MAX_DEPTH}. "
            "Split it into several queries.",
            extensions={"code": "QUERY_TOO_COMPLEX"},
        )
    if cost > MAX_COST:
        raise QueryTooComplex(
            f"Query could return about {cost} values; the limit is {MAX_COST}. "
            "Ask for fewer fields or smaller pages (first/last).",
            extensions={"code": "QUERY_TOO_COMPLEX"},
        )


def _page_size(node: FieldNode, variables: dict[str, Any]) -> int:
    for argument in node.arguments or ():
        if argument.name.value in ("first", "last"):
            value = value_from_ast_untyped(argument.value, variables)
            return value if isinstance(value, int) and value > 0 else DEFAULT_LIMIT
        if argument.name.value == "paging":
            paging = value_from_ast_untyped(argument.value, variables) or {}
            size = paging.get("first") or paging.get("last")
            return size if isinstance(size, int) and size > 0 else DEFAULT_LIMIT
    return DEFAULT_LIMIT


def _measure(
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    depth: int,
    multiplier: int,
) -> tuple[int, int]:
    deepest, cost = depth, 0
    for selection in selection_set.selections:
        if isinstance(selection, (InlineFragmentNode, FragmentSpreadNode)):
            fragment = (
                selection
                if isinstance(selection, InlineFragmentNode)
                else fragments.get(selection.name.value)
            )
            if fragment is None:
                continue
            sub_depth, sub_cost = _measure(
                fragment.selection_set, parent, fragments, variables, depth, multiplier
            )
            deepest, cost = max(deepest, sub_depth), cost + sub_cost
            continue
        name = selection.name.value
        if name.startswith("__"):
            continue
        definition = parent.fields.get(name) if hasattr(parent, "fields") else None
        cost += multiplier
        if selection.selection_set is None or definition is None:
            continue
        child = get_named_type(definition.type)
        factor = _page_size(selection, variables) if child.name.endswith("Connection") else 1
        sub_depth, sub_cost = _measure(
            selection.selection_set, child, fragments, variables, depth + 1, multiplier * factor
        )
        deepest, cost = max(deepest, sub_depth), cost + sub_cost
    return deepest, cost
