"""Webhooks over REST: ``/rest/metadata/webhooks``, with ``/rest/webhooks`` as an alias."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from sqlmodel import Session

from hookwire.crm.request_context import json_body, require_caller, require_scopes
from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.hooks.registry import WebhookRegistry, attempt_output, webhook_output
from hookwire.hooks.webhook_secrets import SecretBox
from hookwire.identity.scopes import WEBHOOKS
from hookwire.services import services

DEFAULT_ATTEMPTS_PAGE = 60
MAX_ATTEMPTS_PAGE = 200


def registry(session: Session, workspace_id: str, object_names: list[str]) -> WebhookRegistry:
    config = services().config
    return WebhookRegistry(
        session, workspace_id, object_names, config.webhooks, SecretBox(config.app_secret)
    )


def _registry(session: Session) -> WebhookRegistry:
    names = [o.name_singular for o in g.catalog.objects if o.is_active]
    return registry(session, g.caller.workspace_id, names)


def webhooks_blueprint(name: str, url_prefix: str) -> Blueprint:
    api = Blueprint(name, __name__, url_prefix=url_prefix)
    api.before_request(require_caller)
    api.before_request(require_scopes(WEBHOOKS))

    @api.get("")
    def list_webhooks() -> dict[str, Any]:
        with transaction(services().engine, write=False) as session:
            rows = [webhook_output(row) for row in _registry(session).list()]
        return {"data": {"webhooks": rows}, "totalCount": len(rows)}

    @api.get("/<webhook_id>")
    def get_webhook(webhook_id: str) -> dict[str, Any]:
        with transaction(services().engine, write=False) as session:
            return {"data": {"webhook": webhook_output(_registry(session).get(webhook_id))}}

    @api.post("")
    def create_webhook() -> tuple[dict[str, Any], int]:
        body = json_body()
        with transaction(services().engine) as session:
            row, secret = _registry(session).create(body)
            return {"data": {"createWebhook": webhook_output(row, secret)}}, 201

    @api.patch("/<webhook_id>")
    def update_webhook(webhook_id: str) -> dict[str, Any]:
        body = json_body()
        with transaction(services().engine) as session:
            row = _registry(session).update(webhook_id, body)
            return {"data": {"updateWebhook": webhook_output(row)}}

    @api.delete("/<webhook_id>")
    def delete_webhook(webhook_id: str) -> dict[str, Any]:
        with transaction(services().engine) as session:
            row = _registry(session).delete(webhook_id)
        return {"data": {"deleteWebhook": {"id": row.id}}}

    @api.get("/<webhook_id>/attempts")
    def list_attempts(webhook_id: str) -> dict[str, Any]:
        raw = request.args.get("limit", str(DEFAULT_ATTEMPTS_PAGE))
        digits = raw.isascii() and raw.isdigit() and len(raw) <= 9  # isdigit() takes '²'
        if not digits or not 1 <= int(raw) <= MAX_ATTEMPTS_PAGE:
            raise BadRequest(
                f"limit: expected an integer from 1 to {MAX_ATTEMPTS_PAGE}, got '{raw}'"
            )
        with transaction(services().engine, write=False) as session:
            rows = _registry(session).attempts(webhook_id, int(raw))
            attempts = [attempt_output(attempt, name) for attempt, name in rows]
        return {"data": {"webhookDeliveryAttempts": attempts}}

    @api.post("/<webhook_id>/redeliver")
    def redeliver(webhook_id: str) -> tuple[dict[str, Any], int]:
        body = json_body()
        if not isinstance(body, dict) or "eventId" not in body:
            raise BadRequest("eventId: required (the id of the event to send again)")
        with transaction(services().engine) as session:
            delivery = _registry(session).redeliver(webhook_id, body["eventId"])
        services().wake_dispatcher()
        return {
            "data": {"redeliverWebhookEvent": {"id": delivery.id, "status": delivery.status}}
        }, 202

    @api.post("/<webhook_id>/test")
    def send_test_event(webhook_id: str) -> tuple[dict[str, Any], int]:
        with transaction(services().engine) as session:
            delivery = _registry(session).send_test_event(webhook_id)
        services().wake_dispatcher()
        return {"data": {"sendTestEvent": {"id": delivery.id, "status": delivery.status}}}, 202

    return api
