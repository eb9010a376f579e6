"""The ``/metadata`` schema: the workspace, its objects and fields, its API keys."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
)

from hookwire.crm.graphql.api_keys_schema import api_key_mutations, api_key_queries
from hookwire.crm.graphql.context import current_workspace
from hookwire.crm.graphql.field_scopes import SCOPE
from hookwire.crm.graphql.limits import FAN_OUT
from hookwire.crm.graphql.metadata_filters import FieldFilter, ObjectFilter, matching
from hookwire.crm.graphql.metadata_mutations import metadata_mutations
from hookwire.crm.graphql.metadata_nodes import (
    PAGING_ARGUMENT,
    FieldConnection,
    FieldNode,
    ObjectConnection,
    ObjectNode,
    all_fields,
    filter_argument,
    workspace_metadata,
)
from hookwire.crm.graphql.metadata_paging import page_bound, paginate
from hookwire.crm.graphql.scalars import UUIDScalar
from hookwire.crm.graphql.types import Workspace
from hookwire.errors import NotFound

# Root queries that read nothing but the workspace's catalog: their answers only change with
# its metadata version.
CATALOG_QUERIES = frozenset({"currentWorkspace", "objects", "object", "fields", "field"})
BY_ID = {
    "id": GraphQLArgument(GraphQLNonNull(UUIDScalar), description="The id of the record to find.")
}


def _objects(
    _root: Any, info: GraphQLResolveInfo, paging: dict[str, Any], filter: dict[str, Any]
) -> dict[str, Any]:
    return paginate(matching(workspace_metadata(info).objects, filter), paging)


def _fields(
    _root: Any, info: GraphQLResolveInfo, paging: dict[str, Any], filter: dict[str, Any]
) -> dict[str, Any]:
    return paginate(matching(workspace_metadata(info).fields(), filter), paging)


def _object(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    found = workspace_metadata(info).object(id)
    if found is None:
        raise NotFound(f"object with id {id} not found")
    return found


def _field(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    found = workspace_metadata(info).field(id)
    if found is None:
        raise NotFound(f"field with id {id} not found")
    return found


def metadata_queries() -> dict[str, GraphQLField]:
    return {
        "objects": GraphQLField(
            GraphQLNonNull(ObjectConnection),
            args={"paging": PAGING_ARGUMENT, "filter": filter_argument(ObjectFilter)},
            resolve=_objects,
            extensions={FAN_OUT: page_bound(lambda catalog: len(catalog.objects))},
        ),
        "object": GraphQLField(GraphQLNonNull(ObjectNode), args=BY_ID, resolve=_object),
        "fields": GraphQLField(
            GraphQLNonNull(FieldConnection),
            args={"paging": PAGING_ARGUMENT, "filter": filter_argument(FieldFilter)},
            resolve=_fields,
            extensions={FAN_OUT: page_bound(all_fields)},
        ),
        "field": GraphQLField(GraphQLNonNull(FieldNode), args=BY_ID, resolve=_field),
    }


def build_metadata_schema(
    extra_queries: dict[str, GraphQLField] | None = None,
    extra_mutations: dict[str, GraphQLField] | None = None,
) -> GraphQLSchema:
    """The /metadata schema, with fields other packages (webhooks) contribute."""
    query = GraphQLObjectType(
        "Query",
        {
            "currentWorkspace": GraphQLField(
                Workspace, resolve=current_workspace, extensions={SCOPE: None}
            ),
            **metadata_queries(),
            **api_key_queries(),
            **(extra_queries or {}),
        },
    )
    mutation = GraphQLObjectType(
        "Mutation",
        {**metadata_mutations(), **api_key_mutations(), **(extra_mutations or {})},
    )
    return GraphQLSchema(query=query, mutation=mutation)
