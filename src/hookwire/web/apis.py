"""``/settings/apis``: the playground card and the workspace's API keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.identity import (
    IssuedKey,
    is_expired,
    issue_api_key,
    last_uses,
    list_api_keys,
    revoke_api_key,
)
from hookwire.models import ApiKey
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.playground import is_playground_key

api_pages = pages("api_pages")
EXPIRY_CHOICES = {"7": "7 days", "30": "30 days", "90": "90 days", "365": "1 year"}
DEFAULT_EXPIRY = "90"
MAX_NAME_LENGTH = 200


def key_status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "expired" if is_expired(key) else "active"


def _visible_keys() -> tuple[list[ApiKey], dict[str, datetime]]:
    """The workspace's keys (a playground's own only while they work) and their last uses."""
    with transaction(services().engine) as session:
        keys = list_api_keys(session, g.workspace.id)
        keys = [k for k in keys if not is_playground_key(k.name) or key_status(k) == "active"]
        return keys, last_uses(session, [k.id for k in keys])


def _page(
    status: int = 200, created: IssuedKey | None = None, error: str | None = None
) -> tuple[str, int]:
    keys, used = _visible_keys()
    revoked_id = request.args.get("revoked")
    page = render_template(
        "settings/apis.html",
        keys=keys,
        last_used=used,
        key_status=key_status,
        is_playground_key=is_playground_key,
        expiry_choices=EXPIRY_CHOICES,
        default_expiry=DEFAULT_EXPIRY,
        created=created,
        error=error,
        revoked=next((k.name for k in keys if k.id == revoked_id), None),
    )
    return page, status


@api_pages.get("/settings")
def settings_home() -> Response:
    return redirect(url_for("api_pages.apis"))


@api_pages.get("/settings/apis")
def apis() -> tuple[str, int]:
    return _page()


@api_pages.post("/settings/apis/keys")
def create_key() -> tuple[str, int]:
    """Issue a key and show its token in this response only."""
    name = request.form.get("name", "").strip()
    days = request.form.get("expires_in", DEFAULT_EXPIRY)
    if not name or len(name) > MAX_NAME_LENGTH:
        return _page(400, error=f"Name: required, at most {MAX_NAME_LENGTH} characters.")
    if days not in EXPIRY_CHOICES:
        raise BadRequest(f"expires_in: expected one of {', '.join(EXPIRY_CHOICES)} (days)")
    with transaction(services().engine) as session:
        issued = issue_api_key(
            session, services().config.app_secret, g.workspace.id, name, timedelta(days=int(days))
        )
    return _page(201, created=issued)


@api_pages.post("/settings/apis/keys/<key_id>/revoke")
def revoke_key(key_id: str) -> Response:
    with transaction(services().engine) as session:
        key = revoke_api_key(session, key_id, g.workspace.id)
    return redirect(url_for("api_pages.apis", revoked=key.id), code=303)
