"""The hook trigger: a record of the chosen object was created, updated, deleted or destroyed."""

from __future__ import annotations

import base64
import json
import secrets
from typing import Any

from hookwire.connector import Bundle, ConnectorError, HaltedError, Requester
from hookwire.triggers import find_object_names_singular
from hookwire.triggers.crm_api import GraphQLError, find_object, graphql, selection
from hookwire.triggers.signatures import verify_signature

KEY = "trigger_record"
OPERATIONS = ("created", "updated", "deleted", "destroyed")
SAMPLE_SIZE = 3
CREATE_WEBHOOK = """
mutation CreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) { id secret operations targetUrl }
}
"""
DELETE_WEBHOOK = "mutation DeleteWebhook($id: UUID!) { deleteWebhook(id: $id) { id } }"


def perform_subscribe(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """Create a webhook for ``<nameSingular>.<operation>``; keep its id and secret."""
    if not bundle.target_url:
        raise ConnectorError("bundle.targetUrl: required to subscribe (the catch URL)")
    event = f"{bundle.input_data['nameSingular']}.{bundle.input_data['operation']}"
    # Our own secret, so deliveries are verifiable even if the server does not echo it back.
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    webhook_input = {
        "targetUrl": bundle.target_url,
        "operations": [event],
        "description": f"Hookwire connector: {event}",
        "secret": secret,
    }
    created = graphql(z, bundle, "metadata", CREATE_WEBHOOK, {"input": webhook_input})
    webhook = created["createWebhook"]
    return {"id": webhook["id"], "secret": webhook.get("secret") or secret, "event": event}


def perform_unsubscribe(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """Delete the webhook; one already gone counts as deleted."""
    webhook_id = (bundle.subscribe_data or {}).get("id")
    if not webhook_id:
        raise ConnectorError("bundle.subscribeData.id: required to unsubscribe")
    try:
        return graphql(z, bundle, "metadata", DELETE_WEBHOOK, {"id": webhook_id})["deleteWebhook"]
    except GraphQLError as error:
        if error.code == "NOT_FOUND":
            return {"id": webhook_id}
        raise


def perform(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    """The delivered record (with ``updatedFields`` for updates), once its signature checks."""
    subscription = bundle.subscribe_data or {}
    if not subscription.get("secret"):
        raise HaltedError("subscribeData has no webhook secret; subscribe again")
    raw = bundle.raw_request or {}
    body = raw.get("content")
    if not isinstance(body, str):
        raise HaltedError("rawRequest.content (the body as sent) is needed to check the signature")
    verify_signature(subscription["secret"], raw.get("headers") or {}, body)
    event = json.loads(body)
    if subscription.get("id") and event.get("webhookId") != subscription["id"]:
        raise HaltedError("the delivery names another webhook; ignored")
    item = dict(event["record"])
    if "updatedFields" in event:
        item["updatedFields"] = event["updatedFields"]
    return [item]


def perform_list(z: Requester, bundle: Bundle) -> list[dict[str, Any]]:
    """The latest records of the object: samples, and the backfill a platform may ask for."""
    node = find_object(z, bundle, bundle.input_data.get("nameSingular"))
    plural = node["namePlural"]
    document = (
        f"query LatestRecords($first: Int) {{ {plural}(first: $first, "
        f"orderBy: [{{createdAt: DescNullsLast}}]) {{ edges {{ node {{ {selection(node)} }} }} }}"
        " }"
    )
    first = bundle.meta.limit or SAMPLE_SIZE
    edges = graphql(z, bundle, "graphql", document, {"first": first})[plural]["edges"]
    return [edge["node"] for edge in edges]


TRIGGER: dict[str, Any] = {
    "key": KEY,
    "noun": "Record",
    "display": {
        "label": "Record Trigger",
        "description": "Triggers when a record of the chosen object is created, updated, "
        "deleted or destroyed.",
    },
    "operation": {
        "type": "hook",
        "inputFields": [
            {
                "key": "nameSingular",
                "label": "Object",
                "required": True,
                "dynamic": find_object_names_singular.DROPDOWN,
            },
            {
                "key": "operation",
                "label": "Operation",
                "required": True,
                "choices": [{"value": op, "label": op.capitalize()} for op in OPERATIONS],
            },
        ],
        "performSubscribe": perform_subscribe,
        "performUnsubscribe": perform_unsubscribe,
        "perform": perform,
        "performList": perform_list,
        "sample": {
            "id": "20202020-0000-4000-8000-000000000001",
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "createdAt": "2025-01-01T00:00:00.000Z",
            "updatedAt": "2025-01-01T00:00:00.000Z",
            "deletedAt": None,
        },
    },
}
