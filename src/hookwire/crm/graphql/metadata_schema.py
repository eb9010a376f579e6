"""The ``/metadata`` schema: the workspace, its objects and fields, its API keys."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
)
from sqlmodel import select

from hookwire.auth import issue_api_key, list_api_keys, revoke_api_key
from hookwire.crm import metadata
from hookwire.crm.documents import iso_timestamp
from hookwire.crm.field_types import FieldType
from hookwire.crm.graphql.context import GraphContext, current_workspace
from hookwire.crm.graphql.scalars import DateTimeScalar, JSONScalar, UUIDScalar
from hookwire.crm.graphql.types import PageInfo, Workspace
from hookwire.errors import BadRequest
from hookwire.models import ApiKey, ObjectMetadata

FieldMetadataType = GraphQLEnumType("FieldMetadataType", {t.value: t.value for t in FieldType})


def _nonnull(kind: Any) -> GraphQLField:
    return GraphQLField(GraphQLNonNull(kind))


CursorPaging = GraphQLInputObjectType(
    "CursorPaging",
    {
        "first": GraphQLInputField(GraphQLInt),
        "after": GraphQLInputField(GraphQLString),
        "last": GraphQLInputField(GraphQLInt),
        "before": GraphQLInputField(GraphQLString),
    },
)
BooleanFieldComparison = GraphQLInputObjectType(
    "BooleanFieldComparison",
    {"is": GraphQLInputField(GraphQLBoolean), "isNot": GraphQLInputField(GraphQLBoolean)},
)
UUIDFilterComparison = GraphQLInputObjectType(
    "UUIDFilterComparison",
    {
        "eq": GraphQLInputField(UUIDScalar),
        "in": GraphQLInputField(GraphQLList(GraphQLNonNull(UUIDScalar))),
    },
)
_FLAG_FILTERS = ("isCustom", "isActive", "isSystem")


def _metadata_filter(name: str) -> GraphQLInputObjectType:
    fields = {"id": GraphQLInputField(UUIDFilterComparison)}
    fields.update({flag: GraphQLInputField(BooleanFieldComparison) for flag in _FLAG_FILTERS})
    return GraphQLInputObjectType(name, fields)


ObjectFilter = _metadata_filter("ObjectFilter")
FieldFilter = _metadata_filter("FieldFilter")


def _connection(name: str, node: GraphQLObjectType) -> GraphQLObjectType:
    edge = GraphQLObjectType(
        f"{name}Edge", {"node": _nonnull(node), "cursor": _nonnull(GraphQLString)}
    )
    return GraphQLObjectType(
        f"{name}Connection",
        {
            "edges": _nonnull(GraphQLList(GraphQLNonNull(edge))),
            "pageInfo": _nonnull(PageInfo),
            "totalCount": _nonnull(GraphQLInt),
        },
    )


def _encode_offset(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_offset(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind != "offset":
            raise ValueError
        return int(value)
    except ValueError:
        raise BadRequest(f"paging: invalid cursor '{cursor}'") from None


def paginate(
    items: list[Any], paging: dict[str, Any] | None, filters: dict | None
) -> dict[str, Any]:
    """A cursor connection over an in-memory list (metadata lists are small)."""
    matching = [item for item in items if _matches(item, filters or {})]
    paging = paging or {}
    start, end = 0, len(matching)
    if paging.get("after"):
        start = _decode_offset(paging["after"]) + 1
    if paging.get("before"):
        end = min(end, _decode_offset(paging["before"]))
    if paging.get("first") is not None:
        end = min(end, start + max(paging["first"], 0))
    if paging.get("last") is not None:
        start = max(start, end - max(paging["last"], 0))
    window = range(start, max(start, end))
    edges = [{"node": matching[i], "cursor": _encode_offset(i)} for i in window]
    return {
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < len(matching),
            "hasPreviousPage": start > 0,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
        "totalCount": len(matching),
    }


def _matches(item: dict[str, Any], filters: dict[str, Any]) -> bool:
    for key, comparison in filters.items():
        if key == "id":
            if "eq" in comparison and item["id"] != comparison["eq"]:
                return False
            if "in" in comparison and item["id"] not in comparison["in"]:
                return False
            continue
        if "is" in comparison and comparison["is"] is not None and item[key] != comparison["is"]:
            return False
        if (
            "isNot" in comparison
            and comparison["isNot"] is not None
            and item[key] == comparison["isNot"]
        ):
            return False
    return True


FieldNode = GraphQLObjectType(
    "Field",
    {
        "id": _nonnull(UUIDScalar),
        "objectMetadataId": _nonnull(UUIDScalar),
        "type": _nonnull(FieldMetadataType),
        "name": _nonnull(GraphQLString),
        "label": _nonnull(GraphQLString),
        "description": GraphQLField(GraphQLString),
        "icon": GraphQLField(GraphQLString),
        "isCustom": GraphQLField(GraphQLBoolean),
        "isActive": GraphQLField(GraphQLBoolean),
        "isSystem": GraphQLField(GraphQLBoolean),
        "isNullable": GraphQLField(GraphQLBoolean),
        "defaultValue": GraphQLField(JSONScalar),
        "options": GraphQLField(JSONScalar),
        "settings": GraphQLField(JSONScalar),
        "createdAt": _nonnull(DateTimeScalar),
        "updatedAt": _nonnull(DateTimeScalar),
    },
)
FieldConnection = _connection("Field", FieldNode)

ObjectNode = GraphQLObjectType(
    "Object",
    {
        "id": _nonnull(UUIDScalar),
        "nameSingular": _nonnull(GraphQLString),
        "namePlural": _nonnull(GraphQLString),
        "labelSingular": _nonnull(GraphQLString),
        "labelPlural": _nonnull(GraphQLString),
        "description": GraphQLField(GraphQLString),
        "icon": GraphQLField(GraphQLString),
        "isCustom": _nonnull(GraphQLBoolean),
        "isActive": _nonnull(GraphQLBoolean),
        "isSystem": _nonnull(GraphQLBoolean),
        "isRemote": _nonnull(GraphQLBoolean),
        "labelIdentifierFieldMetadataId": GraphQLField(UUIDScalar),
        "createdAt": _nonnull(DateTimeScalar),
        "updatedAt": _nonnull(DateTimeScalar),
        "fieldsList": GraphQLField(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(FieldNode))),
            resolve=lambda root, _info: root["fields"],
        ),
        "fields": GraphQLField(
            GraphQLNonNull(FieldConnection),
            args={"paging": GraphQLArgument(CursorPaging), "filter": GraphQLArgument(FieldFilter)},
            resolve=lambda root, _info, paging=None, filter=None: paginate(
                root["fields"], paging, filter
            ),
        ),
    },
)
ObjectConnection = _connection("Object", ObjectNode)

ApiKeyNode = GraphQLObjectType(
    "ApiKey",
    {
        "id": _nonnull(UUIDScalar),
        "name": _nonnull(GraphQLString),
        "expiresAt": _nonnull(DateTimeScalar),
        "revokedAt": GraphQLField(DateTimeScalar),
        "createdAt": _nonnull(DateTimeScalar),
        "token": GraphQLField(
            GraphQLString, description="The key itself: returned by createApiKey only, never again."
        ),
    },
)


def _context(info: GraphQLResolveInfo) -> GraphContext:
    return info.context


def _workspace_objects(info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    context = _context(info)
    rows = context.session.exec(
        select(ObjectMetadata)
        .where(ObjectMetadata.workspace_id == context.caller.workspace_id)
        .order_by(ObjectMetadata.created_at, ObjectMetadata.name_singular)
    ).all()
    fields = metadata.object_fields(context.session, [row.id for row in rows])
    return [metadata.object_output(row, fields[row.id]) for row in rows]


def _one_object(info: GraphQLResolveInfo, row: ObjectMetadata) -> dict[str, Any]:
    fields = metadata.object_fields(_context(info).session, [row.id])[row.id]
    return metadata.object_output(row, fields)


def _api_key_output(row: ApiKey, token: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "expiresAt": iso_timestamp(row.expires_at),
        "revokedAt": iso_timestamp(row.revoked_at),
        "createdAt": iso_timestamp(row.created_at),
        "token": token,
    }


def _create_api_key(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict[str, Any]:
    context = _context(info)
    name = (input.get("name") or "").strip()
    if not name:
        raise BadRequest("input.name: expected a non-empty name for the key")
    lifetime = None
    if input.get("expiresAt"):
        expires_at = datetime.fromisoformat(input["expiresAt"].replace("Z", "+00:00"))
        expires_at = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC)
        lifetime = expires_at - datetime.now(UTC)
        if lifetime.total_seconds() <= 0:
            raise BadRequest("input.expiresAt: must be in the future")
    issued = issue_api_key(
        context.session, context.config.app_secret, context.caller.workspace_id, name, lifetime
    )
    return _api_key_output(issued.row, issued.token)


def _workspace_id(info: GraphQLResolveInfo) -> str:
    return _context(info).caller.workspace_id


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
    "defaultValue": JSONScalar,
    "options": JSONScalar,
}
_FIELD_CREATE_FIELDS = {
    "objectMetadataId": GraphQLNonNull(UUIDScalar),
    "name": GraphQLNonNull(GraphQLString),
    "type": GraphQLNonNull(FieldMetadataType),
    "settings": JSONScalar,
    **_FIELD_UPDATE_FIELDS,
    "label": GraphQLNonNull(GraphQLString),
}
CreateObjectInput = _input_type("CreateObjectInput", _OBJECT_FIELDS)
UpdateObjectInput = _input_type("UpdateObjectInput", _OBJECT_FIELDS)
CreateFieldInput = _input_type("CreateFieldInput", _FIELD_CREATE_FIELDS)
UpdateFieldInput = _input_type("UpdateFieldInput", _FIELD_UPDATE_FIELDS)
IdInput = _input_type("DeleteOneInput", {"id": GraphQLNonNull(UUIDScalar)})


def _one_input(name: str, key: str, kind: GraphQLInputObjectType) -> GraphQLArgument:
    return GraphQLArgument(GraphQLNonNull(_input_type(name, {key: GraphQLNonNull(kind)})))


def _update_input(name: str, kind: GraphQLInputObjectType) -> GraphQLArgument:
    fields = {"id": GraphQLNonNull(UUIDScalar), "update": GraphQLNonNull(kind)}
    return GraphQLArgument(GraphQLNonNull(_input_type(name, fields)))


def _object_mutations() -> dict[str, GraphQLField]:
    def create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        row = metadata.create_object(_context(info).session, _workspace_id(info), input["object"])
        return _one_object(info, row)

    def update(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        session = _context(info).session
        row = metadata.update_object(session, _workspace_id(info), input["id"], input["update"])
        return _one_object(info, row)

    def delete(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        session = _context(info).session
        output = _one_object(info, metadata.get_object(session, _workspace_id(info), input["id"]))
        metadata.delete_object(session, _workspace_id(info), input["id"])
        return output

    return {
        "createOneObject": GraphQLField(
            ObjectNode,
            args={"input": _one_input("CreateOneObjectInput", "object", CreateObjectInput)},
            resolve=create,
        ),
        "updateOneObject": GraphQLField(
            ObjectNode,
            args={"input": _update_input("UpdateOneObjectInput", UpdateObjectInput)},
            resolve=update,
        ),
        "deleteOneObject": GraphQLField(
            ObjectNode, args={"input": GraphQLArgument(GraphQLNonNull(IdInput))}, resolve=delete
        ),
    }


def _field_mutations() -> dict[str, GraphQLField]:
    def create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        row = metadata.create_field(_context(info).session, _workspace_id(info), input["field"])
        return metadata.field_output(row)

    def update(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        session = _context(info).session
        row = metadata.update_field(session, _workspace_id(info), input["id"], input["update"])
        return metadata.field_output(row)

    def delete(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
        session = _context(info).session
        output = metadata.field_output(
            metadata.get_field(session, _workspace_id(info), input["id"])
        )
        metadata.delete_field(session, _workspace_id(info), input["id"])
        return output

    return {
        "createOneField": GraphQLField(
            FieldNode,
            args={"input": _one_input("CreateOneFieldInput", "field", CreateFieldInput)},
            resolve=create,
        ),
        "updateOneField": GraphQLField(
            FieldNode,
            args={"input": _update_input("UpdateOneFieldInput", UpdateFieldInput)},
            resolve=update,
        ),
        "deleteOneField": GraphQLField(
            FieldNode, args={"input": GraphQLArgument(GraphQLNonNull(IdInput))}, resolve=delete
        ),
    }


def _object_by_id(_root: Any, info: GraphQLResolveInfo, id: str) -> dict:
    return _one_object(info, metadata.get_object(_context(info).session, _workspace_id(info), id))


def _revoke(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
    row = revoke_api_key(_context(info).session, input["id"], _workspace_id(info))
    return _api_key_output(row)


def build_metadata_schema(
    extra_queries: dict[str, GraphQLField] | None = None,
    extra_mutations: dict[str, GraphQLField] | None = None,
) -> GraphQLSchema:
    """The /metadata schema, with fields other packages (webhooks) contribute."""
    query = GraphQLObjectType(
        "Query",
        {
            "currentWorkspace": GraphQLField(Workspace, resolve=current_workspace),
            "objects": GraphQLField(
                GraphQLNonNull(ObjectConnection),
                args={
                    "paging": GraphQLArgument(CursorPaging),
                    "filter": GraphQLArgument(ObjectFilter),
                },
                resolve=lambda _root, info, paging=None, filter=None: paginate(
                    _workspace_objects(info), paging, filter
                ),
            ),
            "object": GraphQLField(
                ObjectNode,
                args={"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))},
                resolve=_object_by_id,
            ),
            "apiKeys": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(ApiKeyNode))),
                resolve=lambda _root, info: [
                    _api_key_output(row)
                    for row in list_api_keys(_context(info).session, _workspace_id(info))
                ],
            ),
            **(extra_queries or {}),
        },
    )
    create_key_input = _input_type(
        "CreateApiKeyInput", {"name": GraphQLNonNull(GraphQLString), "expiresAt": DateTimeScalar}
    )
    mutation = GraphQLObjectType(
        "Mutation",
        {
            **_object_mutations(),
            **_field_mutations(),
            "createApiKey": GraphQLField(
                ApiKeyNode,
                args={"input": GraphQLArgument(GraphQLNonNull(create_key_input))},
                resolve=_create_api_key,
            ),
            "revokeApiKey": GraphQLField(
                ApiKeyNode,
                args={
                    "input": GraphQLArgument(
                        GraphQLNonNull(
                            _input_type("RevokeApiKeyInput", {"id": GraphQLNonNull(UUIDScalar)})
                        )
                    )
                },
                resolve=_revoke,
            ),
            **(extra_mutations or {}),
        },
    )
    return GraphQLSchema(query=query, mutation=mutation)
