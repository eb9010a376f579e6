"""Refusing queries too deep or too costly before executing them.

Cost is the number of values the answer can really hold. Each selected field costs the number
of parent items it is resolved for; a field that returns many items says how many it can at
most through ``extensions["fan_out"]``, a function of its coerced arguments (variable defaults
included) and the workspace's catalog. A records connection can return at most its page size
capped by the server maximum; ``objects`` on ``/metadata`` at most the workspace's objects. So
a query whose answer is small always runs, and one whose answer can be large is refused before
anything is read. Introspection is exempt: IDEs send deep but cheap queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from hookwire.crm.catalog import Catalog

MAX_DEPTH = 12
MAX_COST = 250_000

FAN_OUT = "fan_out"
FanOut = Callable[[dict[str, Any], Catalog], int]


class QueryTooComplex(GraphQLError):
    pass


def check_limits(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any] | None,
    catalog: Catalog,
) -> None:
    """Raise ``QueryTooComplex`` for an operation too deep or with too large an answer."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return  # execution refuses the variables, with the errors that say why
    measure = _Measure(fragments, coerced, catalog)
    depth, cost = measure.selection(operation.selection_set, root, 1, 1, None)
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


def _is_list(field: GraphQLField) -> bool:
    kind = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
    return isinstance(kind, GraphQLList)


class _Measure:
    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        catalog: Catalog,
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.catalog = catalog

    def fan_out(self, field: GraphQLField, node: FieldNode) -> int | None:
        """How many items ``field`` can return, when it says so."""
        count = (field.extensions or {}).get(FAN_OUT)
        if count is None:
            return None
        try:
            args = get_argument_values(field, node, self.variables)
        except GraphQLError:
            args = {}  # execution reports the bad argument; count the defaults meanwhile
        return max(count(args, self.catalog), 0)

    def selection(
        self,
        selection_set: SelectionSetNode,
        parent: Any,
        depth: int,
        multiplier: int,
        page: int | None,
    ) -> tuple[int, int]:
        """(deepest level, values) of ``selection_set`` resolved for ``multiplier`` parents;
        ``page`` is the item count of a connection, which its list field (``edges``) takes."""
        deepest, cost = depth, 0
        for selection in selection_set.selections:
            if isinstance(selection, (InlineFragmentNode, FragmentSpreadNode)):
                fragment = (
                    selection
                    if isinstance(selection, InlineFragmentNode)
                    else self.fragments.get(selection.name.value)
                )
                if fragment is not None:
                    sub_depth, sub_cost = self.selection(
                        fragment.selection_set, parent, depth, multiplier, page
                    )
                    deepest, cost = max(deepest, sub_depth), cost + sub_cost
                continue
            name = selection.name.value
            if name.startswith("__"):
                continue
            field = parent.fields.get(name) if hasattr(parent, "fields") else None
            cost += multiplier
            if selection.selection_set is None or field is None:
                continue
            items = self.fan_out(field, selection)
            child_multiplier, child_page = multiplier, None
            if _is_list(field):
                child_multiplier *= items if items is not None else page or 1
            else:
                child_page = items  # a connection: its edges hold this many
            sub_depth, sub_cost = self.selection(
                selection.selection_set,
                get_named_type(field.type),
                depth + 1,
                child_multiplier,
                child_page,
            )
            deepest, cost = max(deepest, sub_depth), cost + sub_cost
        return deepest, cost
