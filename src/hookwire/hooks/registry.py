"""The webhook registry: create, change, delete and read a workspace's subscriptions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, select

from hookwire.config import WebhookSettings
from hookwire.crm.documents import iso_timestamp
from hookwire.errors import BadRequest, NotFound
from hookwire.hooks.operations import validate_operations
from hookwire.hooks.targets import TargetRefused, check_target
from hookwire.hooks.webhook_secrets import (
    SECRET_FORM,
    SecretBox,
    generate_secret,
    is_standard_secret,
)
from hookwire.models import Delivery, DeliveryAttempt, OutboxEvent, Webhook, new_id, utcnow

CHANGE_KEYS = {"targetUrl", "operations", "description", "secret"}
CREATE_KEYS = CHANGE_KEYS | {"id"}  # Twenty lets a client choose the new webhook's id
UPDATE_KEYS = CHANGE_KEYS | {"isEnabled"}
TEST_EVENT = "webhook.test"


class WebhookRegistry:
    """Webhook rows of one workspace, checked against its objects and the target policy."""

    def __init__(
        self,
        session: Session,
        workspace_id: str,
        object_names: Iterable[str],
        settings: WebhookSettings,
        secrets: SecretBox,
    ) -> None:
        self.session = session
        self.workspace_id = workspace_id
        self.object_names = list(object_names)
        self.settings = settings
        self.secrets = secrets

    def list(self) -> list[Webhook]:
        return list(
            self.session.exec(
                select(Webhook)
                .where(Webhook.workspace_id == self.workspace_id)
                .order_by(Webhook.created_at, Webhook.id)
            ).all()
        )

    def get(self, webhook_id: str) -> Webhook:
        row = self.session.get(Webhook, webhook_id)
        if row is None or row.workspace_id != self.workspace_id:
            raise NotFound(f"webhook with id {webhook_id} not found")
        return row

    def create(self, body: Any) -> tuple[Webhook, str]:
        """The new webhook and its secret, which is shown this once."""
        body = _object_body(body, CREATE_KEYS)
        if "targetUrl" not in body:
            raise BadRequest("targetUrl: required (the URL that receives the events)")
        secret = self._secret(body.get("secret")) or generate_secret()
        row = Webhook(
            id=self._new_id(body.get("id")),
            workspace_id=self.workspace_id,
            target_url=self._target(body["targetUrl"]),
            operations=validate_operations(body.get("operations"), self.object_names),
            description=_description(body.get("description")),
            secret_ciphertext=self.secrets.seal(secret),
        )
        self.session.add(row)
        self.session.flush()
        return row, secret

    def update(self, webhook_id: str, body: Any) -> Webhook:
        body = _object_body(body, UPDATE_KEYS)
        row = self.get(webhook_id)
        if "targetUrl" in body:
            row.target_url = self._target(body["targetUrl"])
        if "operations" in body:
            row.operations = validate_operations(body["operations"], self.object_names)
        if "description" in body:
            row.description = _description(body["description"])
        if body.get("secret"):
            row.secret_ciphertext = self.secrets.seal(self._secret(body["secret"]))
        if "isEnabled" in body:
            if not isinstance(body["isEnabled"], bool):
                raise BadRequest("isEnabled: expected true or false")
            row.is_enabled = body["isEnabled"]
            if row.is_enabled:
                row.disabled_reason, row.failing_since = None, None
                row.consecutive_failures, row.failing_notice_at = 0, None
        row.updated_at = utcnow()
        self.session.add(row)
        self.session.flush()
        return row

    def delete(self, webhook_id: str) -> Webhook:
        row = self.get(webhook_id)
        self.session.delete(row)
        self.session.flush()
        return row

    def attempts(self, webhook_id: str, limit: int) -> list[tuple[DeliveryAttempt, str]]:
        """The newest attempts with their event names, newest first."""
        self.get(webhook_id)
        rows = self.session.exec(
            select(DeliveryAttempt, OutboxEvent.event_name)
            .join(OutboxEvent, OutboxEvent.id == DeliveryAttempt.event_id)
            .where(DeliveryAttempt.webhook_id == webhook_id)
            .order_by(DeliveryAttempt.attempted_at.desc(), DeliveryAttempt.attempt_number.desc())
            .limit(limit)
        ).all()
        return [(attempt, name) for attempt, name in rows]

    def redeliver(self, webhook_id: str, event_id: Any) -> Delivery:
        """Queue ``event_id`` for this webhook again, as a new delivery."""
        webhook = self.get(webhook_id)
        event = self.session.get(OutboxEvent, str(event_id)) if isinstance(event_id, str) else None
        if event is None or event.workspace_id != self.workspace_id:
            raise NotFound(f"event with id {event_id} not found")
        delivery = Delivery(
            event_id=event.id, webhook_id=webhook.id, workspace_id=self.workspace_id
        )
        self.session.add(delivery)
        self.session.flush()
        return delivery

    def send_test_event(self, webhook_id: str) -> Delivery:
        """Queue a ``webhook.test`` event for this webhook alone, delivered like any other."""
        webhook = self.get(webhook_id)
        if not webhook.is_enabled:
            raise BadRequest("webhook: disabled; enable it to send a test event")
        event = OutboxEvent(
            workspace_id=self.workspace_id,
            event_name=TEST_EVENT,
            object_metadata_id=webhook.id,
            record_id=webhook.id,
            payload={
                "nameSingular": "webhook",
                "record": {
                    "id": webhook.id,
                    "targetUrl": webhook.target_url,
                    "message": "A test event sent by Hookwire.",
                },
            },
            relayed=True,  # the relay must not fan it out to other webhooks
        )
        self.session.add(event)
        self.session.flush()
        delivery = Delivery(
            event_id=event.id, webhook_id=webhook.id, workspace_id=self.workspace_id
        )
        self.session.add(delivery)
        self.session.flush()
        return delivery

    def _target(self, url: Any) -> str:
        try:
            check_target(url, self.settings.allowed_networks)
        except TargetRefused as refused:
            raise BadRequest(str(refused)) from None
        return url

    def _new_id(self, value: Any) -> str:
        """A client-chosen id (a UUID no webhook has), or a new one."""
        if value is None:
            return new_id()
        try:
            webhook_id = str(uuid.UUID(str(value)))
        except ValueError:
            raise BadRequest(f"id: expected a UUID, got {value!r}") from None
        if self.session.get(Webhook, webhook_id) is not None:
            raise BadRequest(f"id: a webhook with id {webhook_id} already exists")
        return webhook_id

    @staticmethod
    def _secret(value: Any) -> str | None:
        """A secret given by the client, or None for one to be generated."""
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not is_standard_secret(value):
            raise BadRequest(
                f"secret: expected {SECRET_FORM} (the Standard Webhooks form, e.g. whsec_ + "
                'base64 of 32 bytes), or "" to have one generated'
            )
        return value


def _object_body(body: Any, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadRequest("body: expected a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise BadRequest(
            f"webhook: unknown propert{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}; "
            f"expected some of {', '.join(sorted(allowed))}"
        )
    return body


def _description(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise BadRequest("description: expected a string or null")
    return value


def webhook_output(row: Webhook, secret: str | None = None) -> dict[str, Any]:
    output = {
        "id": row.id,
        "targetUrl": row.target_url,
        "operations": row.operations,
        "description": row.description,
        "isEnabled": row.is_enabled,
        "disabledReason": row.disabled_reason,
        "failingSince": iso_timestamp(row.failing_since),
        "createdAt": iso_timestamp(row.created_at),
        "updatedAt": iso_timestamp(row.updated_at),
        # Twenty's webhooks belong to an application and are soft-deleted; here every webhook
        # is the workspace's own and a deleted one is gone.
        "applicationId": None,
        "deletedAt": None,
    }
    if secret is not None:
        output["secret"] = secret
    return output


def attempt_output(attempt: DeliveryAttempt, event_name: str) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "deliveryId": attempt.delivery_id,
        "eventId": attempt.event_id,
        "eventName": event_name,
        "attemptNumber": attempt.attempt_number,
        "attemptedAt": iso_timestamp(attempt.attempted_at),
        "statusCode": attempt.status_code,
        "latencyMs": round(attempt.latency_ms, 2),
        "responseBody": attempt.response_body,
        "error": attempt.error,
    }
