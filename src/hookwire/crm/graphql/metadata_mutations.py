"""Object and field mutations on ``/metadata`` (Twenty's ``createOneObject`` … ``deleteOneField``).

Each answers the node as it is after the change (a deleted one as it was), read again so the
answer's relations see the change too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.crm import metadata
from hookwire.crm.graphql.metadata_nodes import (
    FieldMetadataType,
    FieldNode,
    ObjectNode,
    metadata_changed,
    workspace_metadata,
)
from hookwire.crm.graphql.scalars import JSONScalar, UUIDScalar
from hookwire.crm.metadata_output import WorkspaceMetadata


def _input_type(name: str, fields: dict[str, Any]) -> GraphQLInputObjectType:
    return GraphQLInputObjectType(
        name, {key: GraphQLInputField(kind) for key, kind in fields.items()}
    )


_OBJECT_FIELDS = {
    "nameSingular": GraphQLString,
    "namePlural": GraphQLString,
    "labelSingular": GraphQLString,
    "labelPlural": GraphQLString,
    "description": GraphQLString,
    "icon": GraphQLString,
    "isActive": GraphQLBoolean,
}
_FIELD_UPDATE_FIELDS = {
    "label": GraphQLString,
    "description": GraphQLString,
    "icon": GraphQLString,
    "isActive": GraphQLBoolean,
    "isNullable": GraphQLBoolean,
    "isUnique": GraphQLBoolean,
    "defaultValue": JSONScalar,
    "options": JSONScalar,
}
_FIELD_CREATE_FIELDS = {
    "objectMetadataId": GraphQLNonNull(UUIDScalar),
    "name": GraphQLNonNull(GraphQLString),
    "type": GraphQLNonNull(FieldMetadataType),
    "settings": JSONScalar,
    # Twenty's way to create both sides of a relation: {type, targetObjectMetadataId, …}.
    "relationCreationPayload": JSONScalar,
    **_FIELD_UPDATE_FIELDS,
    "label": GraphQLNonNull(GraphQLString),
}
CreateObjectInput = _input_type("CreateObjectInput", _OBJECT_FIELDS)
UpdateObjectInput = _input_type("UpdateObjectPayload", _OBJECT_FIELDS)
CreateFieldInput = _input_type("CreateFieldInput", _FIELD_CREATE_FIELDS)
UpdateFieldInput = _input_type("UpdateFieldInput", _FIELD_UPDATE_FIELDS)

Change = Callable[[Any, str, Any], Any]  # (session, workspace id, input) -> changed row
Lookup = Callable[[WorkspaceMetadata, str], dict[str, Any] | None]  # an output by id


def _one_input(name: str, key: str, kind: GraphQLInputObjectType) -> GraphQLArgument:
    return GraphQLArgument(GraphQLNonNull(_input_type(name, {key: GraphQLNonNull(kind)})))


def _update_input(name: str, kind: GraphQLInputObjectType) -> GraphQLArgument:
    fields = {"id": GraphQLNonNull(UUIDScalar), "update": GraphQLNonNull(kind)}
    return GraphQLArgument(GraphQLNonNull(_input_type(name, fields)))


def _mutation(
    node: GraphQLObjectType, argument: GraphQLArgument, change: Change, lookup: Lookup
) -> GraphQLField:
    """A field that applies ``change`` and answers the changed node."""

    def resolve(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict[str, Any]:
        context = info.context
        row = change(context.session, context.caller.workspace_id, input)
        metadata_changed(info)
        return lookup(workspace_metadata(info), row.id)

    return GraphQLField(GraphQLNonNull(node), args={"input": argument}, resolve=resolve)


def _deletion(
    node: GraphQLObjectType, input_name: str, delete: Change, lookup: Lookup
) -> GraphQLField:
    """A field that answers the node as it was, then deletes it."""

    def resolve(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict[str, Any]:
        context = info.context
        output = lookup(workspace_metadata(info), input["id"])
        delete(context.session, context.caller.workspace_id, input["id"])
        metadata_changed(info)
        return output

    return GraphQLField(
        GraphQLNonNull(node),
        args={
            "input": GraphQLArgument(
                GraphQLNonNull(_input_type(input_name, {"id": GraphQLNonNull(UUIDScalar)}))
            )
        },
        resolve=resolve,
    )


def metadata_mutations() -> dict[str, GraphQLField]:
    create_object = _one_input("CreateOneObjectInput", "object", CreateObjectInput)
    # Twenty's names, which clients declare their variables with.
    create_field = _one_input("CreateOneFieldMetadataInput", "field", CreateFieldInput)
    return {
        "createOneObject": _mutation(
            ObjectNode,
            create_object,
            lambda session, workspace, input: metadata.create_object(
                session, workspace, input["object"]
            ),
            WorkspaceMetadata.object,
        ),
        "updateOneObject": _mutation(
            ObjectNode,
            _update_input("UpdateOneObjectInput", UpdateObjectInput),
            lambda session, workspace, input: metadata.update_object(
                session, workspace, input["id"], input["update"]
            ),
            WorkspaceMetadata.object,
        ),
        "deleteOneObject": _deletion(
            ObjectNode, "DeleteOneObjectInput", metadata.delete_object, WorkspaceMetadata.object
        ),
        "createOneField": _mutation(
            FieldNode,
            create_field,
            lambda session, workspace, input: metadata.create_field(
                session, workspace, input["field"]
            ),
            WorkspaceMetadata.field,
        ),
        "updateOneField": _mutation(
            FieldNode,
            _update_input("UpdateOneFieldMetadataInput", UpdateFieldInput),
            lambda session, workspace, input: metadata.update_field(
                session, workspace, input["id"], input["update"]
            ),
            WorkspaceMetadata.field,
        ),
        "deleteOneField": _deletion(
            FieldNode, "DeleteOneFieldInput", metadata.delete_field, WorkspaceMetadata.field
        ),
    }
