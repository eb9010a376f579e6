"""graphql-core's executor with a short cut for the plain values of record documents.

A page of 60 people selects some 1,500 leaf fields and 360 objects (edges, nodes, composites),
and graphql-core resolves each one through the same generic steps: build a path and a resolve
info, call the default resolver, dispatch on the type, complete. That was most of the server's
time for a ``/graphql`` list request beyond what REST spends. Records and composites are plain
dicts, so this executor turns each selection set, once per request, into a plan that says for
every response key which dict key to read and whether it is a leaf (coerced by its type) or an
object (its sub-selection executed the same way). Anything else (resolvers, lists, a null for a
non-null field, a value its type cannot represent, ``@defer``) takes graphql-core's own path,
field by field, which gives the same result and the same errors. Meant for ``execute_sync``:
resolvers here are synchronous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from graphql import (
    Executor,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    default_field_resolver,
    is_leaf_type,
    is_object_type,
)
from graphql.pyutils import Path

from hookwire.crm.documents import plain_number

if TYPE_CHECKING:
    from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet

_GENERIC, _LEAF, _OBJECT, _TYPENAME = range(4)  # step kinds
_NOT_PLAIN: Any = object()  # "complete this value through graphql-core's own path"


class _Step(NamedTuple):
    """How to complete one response key of a selection set on a dict."""

    key: str  # the response key (an alias or the field name)
    name: str  # the field name, which is the dict key
    kind: int
    field_type: GraphQLOutputType | None
    named_type: Any  # the leaf or object type behind a non-null wrapper
    non_null: bool
    field_details_list: FieldDetailsList


class RecordsExecutor(Executor):
    """Executes default-resolved fields of dict values without the per-field machinery.

    A ``Float`` that holds an integer is answered as one (``12``, not ``12.0``), as Twenty's
    JavaScript server writes it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, tuple[GroupedFieldSet, list[_Step]]] = {}

    def complete_leaf_value(self, return_type: Any, result: Any) -> Any:
        return plain_number(super().complete_leaf_value(return_type, result))

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if (
            type(source_value) is not dict
            or self.middleware_manager is not None
            or self.field_resolver is not default_field_resolver
        ):
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        for step in self._plan(parent_type, grouped_field_set):
            kind = step.kind
            if kind == _TYPENAME:
                results[step.key] = parent_type.name
                continue
            value = source_value.get(step.name)
            if value is None:
                if kind != _GENERIC and not step.non_null:
                    results[step.key] = None
                    continue
            elif kind == _LEAF and not callable(value):  # the default resolver calls callables
                coerced = _coerced(step.named_type, value)
                if coerced is not _NOT_PLAIN:
                    results[step.key] = coerced
                    continue
            elif kind == _OBJECT and type(value) is dict:
                completed = self._complete_object(step, value, path, parent_type, position_context)
                if completed is not _NOT_PLAIN:
                    results[step.key] = completed
                    continue
            # graphql-core's own path: it raises a non-null field's null error and locates
            # a value its type cannot represent.
            completed = self.execute_field(
                parent_type,
                source_value,
                step.field_details_list,
                Path(path, step.key, parent_type.name),
                position_context,
            )
            if completed is not Undefined:
                results[step.key] = completed
        return results

    def _complete_object(
        self,
        step: _Step,
        value: dict[str, Any],
        path: Path | None,
        parent_type: GraphQLObjectType,
        position_context: Any,
    ) -> Any:
        """A dict completed as the step's object type, or ``_NOT_PLAIN`` under ``@defer``."""
        subfields = self.collect_subfields(step.named_type, step.field_details_list)
        if subfields.new_defer_usages:
            return _NOT_PLAIN
        field_path = Path(path, step.key, parent_type.name)
        try:
            return self.execute_fields(
                step.named_type, value, field_path, subfields.grouped_field_set, position_context
            )
        except Exception as raw_error:  # what graphql-core's execute_field does with it
            self.handle_field_error(raw_error, step.field_type, step.field_details_list, field_path)
            return None

    def _plan(
        self, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
    ) -> list[_Step]:
        """The steps for a selection set, made once per request and selection set.

        graphql-core collects a selection set once per request and type and hands the same
        ``grouped_field_set`` to every item of a list, so its identity keys the plan; the plan
        keeps the set alive, so the identity cannot be reused while the request runs.
        """
        cached = self._plans.get(id(grouped_field_set))
        if cached is not None:
            return cached[1]
        steps = [
            _step(parent_type, key, field_details_list)
            for key, field_details_list in grouped_field_set.items()
        ]
        self._plans[id(grouped_field_set)] = (grouped_field_set, steps)
        return steps


def _coerced(leaf_type: Any, value: Any) -> Any:
    """``value`` as ``leaf_type`` serializes it, or ``_NOT_PLAIN`` when it cannot."""
    try:
        coerced = leaf_type.coerce_output_value(value)
    except Exception:  # graphql-core's path reports it, located
        return _NOT_PLAIN
    return _NOT_PLAIN if coerced is None or coerced is Undefined else plain_number(coerced)


def _step(parent_type: GraphQLObjectType, key: str, field_details_list: FieldDetailsList) -> _Step:
    name = field_details_list[0].node.name.value
    if name == "__typename":
        return _Step(key, name, _TYPENAME, None, None, False, field_details_list)
    field = parent_type.fields.get(name)
    if field is None or field.resolve is not None or field.args:
        return _Step(key, name, _GENERIC, None, None, False, field_details_list)
    non_null = isinstance(field.type, GraphQLNonNull)
    named = field.type.of_type if non_null else field.type
    if is_leaf_type(named):
        kind = _LEAF
    elif is_object_type(named) and named.is_type_of is None:
        kind = _OBJECT
    else:
        kind = _GENERIC
    return _Step(key, name, kind, field.type, named, non_null, field_details_list)
