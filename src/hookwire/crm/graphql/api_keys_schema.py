"""API keys on ``/metadata``: list them, create one (its token shown once), revoke one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.crm.documents import iso_timestamp
from hookwire.crm.graphql.field_scopes import requiring
from hookwire.crm.graphql.scalars import DateTimeScalar, UUIDScalar
from hookwire.errors import BadRequest
from hookwire.identity import issue_api_key, list_api_keys, revoke_api_key
from hookwire.identity.scopes import CREDENTIALS
from hookwire.models import ApiKey

ApiKeyNode = GraphQLObjectType(
    "ApiKey",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "name": GraphQLField(GraphQLNonNull(GraphQLString)),
        "expiresAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "revokedAt": GraphQLField(DateTimeScalar),
        "createdAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "token": GraphQLField(
            GraphQLString, description="The key itself: returned by createApiKey only, never again."
        ),
    },
)
CreateApiKeyInput = GraphQLInputObjectType(
    "CreateApiKeyInput",
    {
        "name": GraphQLInputField(GraphQLNonNull(GraphQLString)),
        "expiresAt": GraphQLInputField(DateTimeScalar),
    },
)
RevokeApiKeyInput = GraphQLInputObjectType(
    "RevokeApiKeyInput", {"id": GraphQLInputField(GraphQLNonNull(UUIDScalar))}
)


def _api_key_output(row: ApiKey, token: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "expiresAt": iso_timestamp(row.expires_at),
        "revokedAt": iso_timestamp(row.revoked_at),
        "createdAt": iso_timestamp(row.created_at),
        "token": token,
    }


def _list(_root: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    context = info.context
    return [
        _api_key_output(row) for row in list_api_keys(context.session, context.caller.workspace_id)
    ]


def _create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict[str, Any]:
    context = info.context
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


def _revoke(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict[str, Any]:
    context = info.context
    return _api_key_output(
        revoke_api_key(context.session, input["id"], context.caller.workspace_id)
    )


def api_key_queries() -> dict[str, GraphQLField]:
    return requiring(
        CREDENTIALS,
        {
            "apiKeys": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(ApiKeyNode))), resolve=_list
            )
        },
    )


def api_key_mutations() -> dict[str, GraphQLField]:
    return requiring(
        CREDENTIALS,
        {
            "createApiKey": GraphQLField(
                ApiKeyNode,
                args={"input": GraphQLArgument(GraphQLNonNull(CreateApiKeyInput))},
                resolve=_create,
            ),
            "revokeApiKey": GraphQLField(
                ApiKeyNode,
                args={"input": GraphQLArgument(GraphQLNonNull(RevokeApiKeyInput))},
                resolve=_revoke,
            ),
        },
    )
