"""graphql-core's executor with a short cut for the plain values of record documents.

A page of 60 people selects some 1,500 leaf fields and 360 objects (edges, nodes, composites),
and graphql-core resolves each one through the same generic steps: build a resolve info, call
the default resolver, dispatch on the type, complete. That was half the server's time for a
``/graphql`` list request. Records and composites are plain dicts, so for a field without a
resolver or arguments on a dict this executor reads the key itself: a leaf is coerced by its
type, an object goes straight to its sub-selection. Anything else (resolvers, lists, a null for
a non-null field, a value its type cannot represent) takes graphql-core's own path, which gives
the same result and the same errors. Meant for ``execute_sync``: resolvers here are synchronous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from graphql.execution.collect_fields import FieldDetailsList
    from graphql.pyutils import Path


_GENERIC: Any = object()  # "let graphql-core's own path complete this field"


class RecordsExecutor(Executor):
    """Executes default-resolved fields of dict values without the per-field machinery."""

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if (
            type(source) is dict
            and self.middleware_manager is None
            and self.field_resolver is default_field_resolver
        ):
            name = field_details_list[0].node.name.value
            field = parent_type.fields.get(name)  # None for __typename
            if field is not None and field.resolve is None and not field.args:
                completed = self._complete_plain(
                    field.type, source.get(name), field_details_list, path, position_context
                )
                if completed is not _GENERIC:
                    return completed
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _complete_plain(
        self,
        field_type: GraphQLOutputType,
        value: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """``value`` completed as ``field_type``, or ``_GENERIC`` when it is not plain."""
        non_null = isinstance(field_type, GraphQLNonNull)
        named = field_type.of_type if non_null else field_type
        if value is None:
            return _GENERIC if non_null else None  # the generic path raises the null error
        if is_leaf_type(named):
            if callable(value):  # the default resolver would call it
                return _GENERIC
            try:
                coerced = named.coerce_output_value(value)
            except Exception:  # the generic path reports it, located
                return _GENERIC
            return _GENERIC if coerced is None or coerced is Undefined else coerced
        if type(value) is not dict or not is_object_type(named) or named.is_type_of:
            return _GENERIC
        try:
            return self.collect_and_execute_subfields(
                named, field_details_list, path, value, position_context
            )
        except Exception as raw_error:  # what graphql-core's execute_field does with it
            self.handle_field_error(raw_error, field_type, field_details_list, path)
            return None
