"""OAuth2 applications over REST: ``/rest/metadata/applications``.

Managing applications mints credentials, so it takes an API key (the ``credentials`` scope,
which no application is ever granted). A client secret is in the answer that creates or
rotates it, and in no other.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from hookwire.crm.request_context import json_object, require_caller, require_scopes
from hookwire.database import transaction
from hookwire.identity import (
    IssuedApplication,
    create_application,
    delete_application,
    get_application,
    list_applications,
    rotate_secret,
)
from hookwire.identity.scopes import CREDENTIALS
from hookwire.models import OAuthApplication
from hookwire.services import services

applications_api = Blueprint("applications_api", __name__, url_prefix="/rest/metadata/applications")
applications_api.before_request(require_caller)
applications_api.before_request(require_scopes(CREDENTIALS))

_FIELDS = frozenset({"name", "redirectUris", "scopes", "public"})


def application_output(row: OAuthApplication, secret: str | None = None) -> dict[str, Any]:
    output: dict[str, Any] = {
        "id": row.id,
        "name": row.name,
        "clientId": row.client_id,
        "public": row.client_secret_hash is None,
        "redirectUris": row.redirect_uris,
        "scopes": row.scopes,
        "createdAt": row.created_at.isoformat(),
        "secretRotatedAt": row.secret_rotated_at.isoformat() if row.secret_rotated_at else None,
    }
    if secret is not None:
        output["clientSecret"] = secret
    return output


def _issued(issued: IssuedApplication) -> dict[str, Any]:
    return application_output(issued.row, issued.client_secret)


@applications_api.get("")
def list_all() -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        rows = [application_output(r) for r in list_applications(session, g.caller.workspace_id)]
    return {"data": {"applications": rows}, "totalCount": len(rows)}


@applications_api.get("/<application_id>")
def get_one(application_id: str) -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        row = get_application(session, g.caller.workspace_id, application_id)
        return {"data": {"application": application_output(row)}}


@applications_api.post("")
def create() -> tuple[dict[str, Any], int]:
    body = json_object(_FIELDS)
    with transaction(services().engine) as session:
        issued = create_application(
            session,
            g.caller.workspace_id,
            body.get("name"),
            body.get("redirectUris"),
            body.get("scopes"),
            public=body.get("public", False),
        )
        return {"data": {"createApplication": _issued(issued)}}, 201


@applications_api.post("/<application_id>/rotate-secret")
def rotate(application_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        issued = rotate_secret(
            session, g.caller.workspace_id, application_id, f"the API key {g.caller.key_name}"
        )
        return {"data": {"rotateApplicationSecret": _issued(issued)}}


@applications_api.delete("/<application_id>")
def delete(application_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        delete_application(session, g.caller.workspace_id, application_id)
    return {"data": {"deleteApplication": {"id": application_id}}}
