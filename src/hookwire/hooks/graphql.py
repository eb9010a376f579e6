"""Webhooks on ``/metadata``: the queries and mutations the GraphQL API adds for them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.crm.graphql.scalars import DateTimeScalar, UUIDScalar
from hookwire.errors import BadRequest
from hookwire.hooks.registry import WebhookRegistry, attempt_output, webhook_output
from hookwire.hooks.rest import MAX_ATTEMPTS_PAGE, registry
from hookwire.services import services

_STRINGS = GraphQLList(GraphQLNonNull(GraphQLString))

WebhookType = GraphQLObjectType(
    "Webhook",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "targetUrl": GraphQLField(GraphQLNonNull(GraphQLString)),
        "operations": GraphQLField(GraphQLNonNull(_STRINGS)),
        "description": GraphQLField(GraphQLString),
        "isEnabled": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "disabledReason": GraphQLField(GraphQLString),
        "failingSince": GraphQLField(DateTimeScalar),
        "createdAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "updatedAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "secret": GraphQLField(
            GraphQLString, description="Returned by createWebhook only, never again."
        ),
    },
)
AttemptType = GraphQLObjectType(
    "WebhookDeliveryAttempt",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "deliveryId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "eventId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "eventName": GraphQLField(GraphQLNonNull(GraphQLString)),
        "attemptNumber": GraphQLField(GraphQLNonNull(GraphQLInt)),
        "attemptedAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "statusCode": GraphQLField(GraphQLInt),
        "latencyMs": GraphQLField(GraphQLNonNull(GraphQLFloat)),
        "responseBody": GraphQLField(GraphQLString),
        "error": GraphQLField(GraphQLString),
    },
)
DeliveryType = GraphQLObjectType(
    "WebhookDelivery",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "status": GraphQLField(GraphQLNonNull(GraphQLString)),
    },
)


def _input(name: str, required: tuple[str, ...], with_id: bool) -> GraphQLInputObjectType:
    fields = {
        "targetUrl": GraphQLString,
        "operations": _STRINGS,
        "description": GraphQLString,
        "secret": GraphQLString,
    }
    if with_id:
        fields = {"id": UUIDScalar, **fields, "isEnabled": GraphQLBoolean}
    return GraphQLInputObjectType(
        name,
        {
            key: GraphQLInputField(GraphQLNonNull(kind) if key in required else kind)
            for key, kind in fields.items()
        },
    )


CreateWebhookInput = _input("CreateWebhookInput", ("targetUrl",), with_id=False)
UpdateWebhookInput = _input("UpdateWebhookInput", ("id",), with_id=True)


def _registry(info: GraphQLResolveInfo) -> WebhookRegistry:
    context = info.context
    names = [o.name_singular for o in context.catalog.objects if o.is_active]
    return registry(context.session, context.caller.workspace_id, names)


def _create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
    row, secret = _registry(info).create(input)
    return webhook_output(row, secret)


def _update(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
    changes = {key: value for key, value in input.items() if key != "id"}
    return webhook_output(_registry(info).update(input["id"], changes))


def _attempts(_root: Any, info: GraphQLResolveInfo, webhookId: str, first: int = 60) -> list:
    if not 1 <= first <= MAX_ATTEMPTS_PAGE:
        raise BadRequest(f"first: expected 1 to {MAX_ATTEMPTS_PAGE}, got {first}")
    return [attempt_output(a, name) for a, name in _registry(info).attempts(webhookId, first)]


def _redeliver(_root: Any, info: GraphQLResolveInfo, webhookId: str, eventId: str) -> dict:
    delivery = _registry(info).redeliver(webhookId, eventId)
    wake = services().wake_dispatcher
    sa.event.listen(info.context.session, "after_commit", lambda _session: wake(), once=True)
    return {"id": delivery.id, "status": delivery.status}


def webhook_queries() -> dict[str, GraphQLField]:
    by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
    return {
        "webhooks": GraphQLField(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(WebhookType))),
            resolve=lambda _root, info: [webhook_output(row) for row in _registry(info).list()],
        ),
        "webhook": GraphQLField(
            WebhookType,
            args=by_id,
            resolve=lambda _root, info, id: webhook_output(_registry(info).get(id)),
        ),
        "webhookDeliveryAttempts": GraphQLField(
            GraphQLNonNull(GraphQLList(GraphQLNonNull(AttemptType))),
            args={
                "webhookId": GraphQLArgument(GraphQLNonNull(UUIDScalar)),
                "first": GraphQLArgument(GraphQLInt),
            },
            resolve=_attempts,
        ),
    }


def webhook_mutations() -> dict[str, GraphQLField]:
    by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
    return {
        "createWebhook": GraphQLField(
            WebhookType,
            args={"input": GraphQLArgument(GraphQLNonNull(CreateWebhookInput))},
            resolve=_create,
        ),
        "updateWebhook": GraphQLField(
            WebhookType,
            args={"input": GraphQLArgument(GraphQLNonNull(UpdateWebhookInput))},
            resolve=_update,
        ),
        "deleteWebhook": GraphQLField(
            WebhookType,
            args=by_id,
            resolve=lambda _root, info, id: webhook_output(_registry(info).delete(id)),
        ),
        "redeliverWebhookEvent": GraphQLField(
            DeliveryType,
            args={
                "webhookId": GraphQLArgument(GraphQLNonNull(UUIDScalar)),
                "eventId": GraphQLArgument(GraphQLNonNull(UUIDScalar)),
            },
            resolve=_redeliver,
        ),
    }
