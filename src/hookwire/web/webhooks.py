"""``/settings/webhooks``: subscriptions, their delivery logs, redelivery and test events."""

from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for
from sqlmodel import Session
from werkzeug.wrappers import Response

from hookwire.crm.catalog import ObjectSpec
from hookwire.database import transaction
from hookwire.errors import ApiError
from hookwire.hooks.operations import ACTIONS
from hookwire.hooks.registry import WebhookRegistry
from hookwire.hooks.rest import registry
from hookwire.services import services
from hookwire.web.pages import pages

webhook_pages = pages("webhook_pages", admin_writes=True)
LOG_SIZE = 50
EXCERPT_LENGTH = 200
NOTICES = {
    "saved": "Saved.",
    "enabled": "Enabled.",
    "disabled": "Disabled: no events are sent to it.",
    "test": "Test event queued; its delivery appears in the log below.",
    "redelivered": "Event queued again; the new attempt appears in the log below.",
}


def _objects() -> list[ObjectSpec]:
    catalog = services().catalogs.get(g.workspace.id, g.workspace.metadata_version)
    return [o for o in catalog.objects if o.is_active]


def _registry(session: Session) -> WebhookRegistry:
    return registry(session, g.workspace.id, [o.name_singular for o in _objects()])


def _form_body() -> dict[str, Any]:
    return {
        "targetUrl": request.form.get("target_url", "").strip(),
        "operations": request.form.getlist("operations"),
        "description": request.form.get("description", "").strip() or None,
    }


def _form_context(operations: list[str]) -> dict[str, Any]:
    """What the events grid needs: one row per object (and "any"), one column per action."""
    rows = [("*", "Any object")] + [(o.name_singular, o.label_singular) for o in _objects()]
    return {"rows": rows, "actions": list(ACTIONS), "selected": set(operations)}


def _list_page(
    status: int = 200, error: str | None = None, form: dict | None = None
) -> tuple[str, int]:
    with transaction(services().engine) as session:
        webhooks = _registry(session).list()
    form = form or {"targetUrl": "", "operations": ["*.*"], "description": None}
    page = render_template(
        "settings/webhooks.html",
        webhooks=webhooks,
        form=form,
        error=error,
        deleted="deleted" in request.args,
        **_form_context(form["operations"]),
    )
    return page, status


def _detail_page(
    webhook_id: str,
    status: int = 200,
    *,
    secret: str | None = None,
    error: str | None = None,
    form: dict | None = None,
) -> tuple[str, int]:
    with transaction(services().engine) as session:
        webhook = _registry(session).get(webhook_id)
        attempts = _registry(session).attempts(webhook_id, LOG_SIZE)
    form = form or {
        "targetUrl": webhook.target_url,
        "operations": webhook.operations,
        "description": webhook.description,
    }
    page = render_template(
        "settings/webhook.html",
        webhook=webhook,
        attempts=attempts,
        excerpt_length=EXCERPT_LENGTH,
        secret=secret,
        error=error,
        form=form,
        notice=NOTICES.get(request.args.get("notice", "")),
        **_form_context(form["operations"]),
    )
    return page, status


@webhook_pages.get("/settings/webhooks")
def webhooks() -> tuple[str, int]:
    return _list_page()


@webhook_pages.post("/settings/webhooks")
def create_webhook() -> tuple[str, int]:
    """Create a webhook and show its secret in this response only."""
    body = _form_body()
    try:
        with transaction(services().engine) as session:
            row, secret = _registry(session).create(body)
    except ApiError as error:
        return _list_page(400, error=" ".join(error.messages), form=body)
    return _detail_page(row.id, 201, secret=secret)


@webhook_pages.get("/settings/webhooks/<webhook_id>")
def webhook(webhook_id: str) -> tuple[str, int]:
    return _detail_page(webhook_id)


@webhook_pages.post("/settings/webhooks/<webhook_id>")
def update_webhook(webhook_id: str) -> Response | tuple[str, int]:
    body = _form_body()
    try:
        with transaction(services().engine) as session:
            _registry(session).update(webhook_id, body)
    except ApiError as error:
        return _detail_page(webhook_id, 400, error=" ".join(error.messages), form=body)
    return _back(webhook_id, "saved")


@webhook_pages.post("/settings/webhooks/<webhook_id>/enabled")
def set_enabled(webhook_id: str) -> Response:
    enabled = request.form.get("enabled") == "true"
    with transaction(services().engine) as session:
        _registry(session).update(webhook_id, {"isEnabled": enabled})
    return _back(webhook_id, "enabled" if enabled else "disabled")


@webhook_pages.post("/settings/webhooks/<webhook_id>/delete")
def delete_webhook(webhook_id: str) -> Response:
    with transaction(services().engine) as session:
        _registry(session).delete(webhook_id)
    return redirect(url_for("webhook_pages.webhooks", deleted=1), code=303)


@webhook_pages.post("/settings/webhooks/<webhook_id>/test")
def test_event(webhook_id: str) -> Response:
    with transaction(services().engine) as session:
        _registry(session).send_test_event(webhook_id)
    services().wake_dispatcher()
    return _back(webhook_id, "test")


@webhook_pages.post("/settings/webhooks/<webhook_id>/redeliver")
def redeliver(webhook_id: str) -> Response:
    with transaction(services().engine) as session:
        _registry(session).redeliver(webhook_id, request.form.get("event_id", ""))
    services().wake_dispatcher()
    return _back(webhook_id, "redelivered")


@webhook_pages.get("/settings/webhooks/<webhook_id>/deliveries")
def deliveries(webhook_id: str) -> str:
    """The log's rows alone, for the page to refresh itself."""
    with transaction(services().engine) as session:
        attempts = _registry(session).attempts(webhook_id, LOG_SIZE)
    return render_template(
        "settings/_deliveries.html",
        attempts=attempts,
        excerpt_length=EXCERPT_LENGTH,
        webhook_id=webhook_id,
    )


def _back(webhook_id: str, notice: str) -> Response:
    """Back to the webhook's page, saying what was done (one of NOTICES)."""
    return redirect(url_for("webhook_pages.webhook", webhook_id=webhook_id, notice=notice), 303)
