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

from hookwire.crm.graphql.field_scopes import requiring
from hookwire.crm.graphql.limits import FAN_OUT
from hookwire.crm.graphql.scalars import DateTimeScalar, UUIDScalar
from hookwire.errors import BadRequest
from hookwire.hooks.registry import WebhookRegistry, attempt_output, webhook_output
from hookwire.hooks.rest import DEFAULT_ATTEMPTS_PAGE, MAX_ATTEMPTS_PAGE, registry
from hookwire.identity.scopes import WEBHOOKS
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
        "deletedAt": GraphQLField(DateTimeScalar),
        "applicationId": GraphQLField(UUIDScalar),
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


_CHANGES = {
    "targetUrl": GraphQLString,
    "operations": _STRINGS,
    "description": GraphQLString,
    "secret": GraphQLString,
}


def _input(name: str, fields: dict[str, Any]) -> GraphQLInputObjectType:
    return GraphQLInputObjectType(
        name, {key: GraphQLInputField(kind) for key, kind in fields.items()}
    )


CreateWebhookInput = _input(
    "CreateWebhookInput",
    {"id": UUIDScalar, **_CHANGES, "targetUrl": GraphQLNonNull(GraphQLString)},
)
UpdateWebhookInputUpdates = _input(
    "UpdateWebhookInputUpdates", {**_CHANGES, "isEnabled": GraphQLBoolean}
)
# Twenty's shape is ``{id, update: {…}}``; the changes may also sit beside ``id`` (ours).
UpdateWebhookInput = _input(
    "UpdateWebhookInput",
    {
        "id": GraphQLNonNull(UUIDScalar),
        "update": UpdateWebhookInputUpdates,
        **_CHANGES,
        "isEnabled": GraphQLBoolean,
    },
)


def _registry(info: GraphQLResolveInfo) -> WebhookRegistry:
    context = info.context
    names = [o.name_singular for o in context.catalog.objects if o.is_active]
    return registry(context.session, context.caller.workspace_id, names)


def _create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
    row, secret = _registry(info).create(input)
    return webhook_output(row, secret)


def _update(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:
    beside = {key: value for key, value in input.items() if key not in ("id", "update")}
    nested = input.get("update")
    if nested is not None and beside:
        raise BadRequest(
            f"input: give the changes in input.update or beside input.id, not both "
            f"(got update and {', '.join(sorted(beside))})"
        )
    return webhook_output(_registry(info).update(input["id"], nested or beside))


def _attempts_page(first: int | None) -> int:
    return DEFAULT_ATTEMPTS_PAGE if first is None else first


def _attempts(_root: Any, info: GraphQLResolveInfo, webhookId: str, first: int | None) -> list:
    first = _attempts_page(first)
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
    return requiring(
        WEBHOOKS,
        {
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
                    "first": GraphQLArgument(GraphQLInt, default_value=DEFAULT_ATTEMPTS_PAGE),
                },
                resolve=_attempts,
                # The cost limit counts a page of `first` attempts (60 unless asked).
                extensions={FAN_OUT: lambda args, _catalog: _attempts_page(args.get("first"))},
            ),
        },
    )


def webhook_mutations() -> dict[str, GraphQLField]:
    by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
    return requiring(
        WEBHOOKS,
        {
            "createWebhook": GraphQLField(
                GraphQLNonNull(WebhookType),
                args={"input": GraphQLArgument(GraphQLNonNull(CreateWebhookInput))},
                resolve=_create,
            ),
            "updateWebhook": GraphQLField(
                GraphQLNonNull(WebhookType),
                args={"input": GraphQLArgument(GraphQLNonNull(UpdateWebhookInput))},
                resolve=_update,
            ),
            "deleteWebhook": GraphQLField(
                GraphQLNonNull(WebhookType),
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
        },
    )
