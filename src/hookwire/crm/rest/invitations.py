"""Workspace invitations over REST: ``/rest/metadata/invitations``.

An invitation lets someone become a settings user, so managing them takes an API key (the
``credentials`` scope, which no OAuth application is ever granted). The link's token is
never in an answer: it goes only to the invited address.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g

from hookwire.crm.request_context import json_object, require_caller, require_scopes
from hookwire.database import transaction
from hookwire.identity.scopes import CREDENTIALS
from hookwire.members import Inviter, LinkSigner, invite, list_invitations, resend, revoke, status
from hookwire.models import Invitation
from hookwire.services import services

invitations_api = Blueprint("invitations_api", __name__, url_prefix="/rest/metadata/invitations")
invitations_api.before_request(require_caller)
invitations_api.before_request(require_scopes(CREDENTIALS))

_FIELDS = frozenset({"email", "role"})


def invitation_output(row: Invitation) -> dict[str, Any]:
    return {
        "id": row.id,
        "email": row.email,
        "role": row.role,
        "status": status(row),
        "invitedBy": row.invited_by,
        "createdAt": row.created_at.isoformat(),
        "sentAt": row.sent_at.isoformat(),
        "expiresAt": row.expires_at.isoformat(),
        "acceptedAt": row.accepted_at.isoformat() if row.accepted_at else None,
        "revokedAt": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _inviter() -> Inviter:
    config = services().config
    name = f"An admin (API key “{g.caller.key_name}”)" if g.caller.key_name else "An admin"
    return Inviter(name, LinkSigner.of(config))


@invitations_api.get("")
def list_all() -> dict[str, Any]:
    with transaction(services().engine, write=False) as session:
        rows = [invitation_output(r) for r in list_invitations(session, g.caller.workspace_id)]
    return {"data": {"invitations": rows}, "totalCount": len(rows)}


@invitations_api.post("")
def create() -> tuple[dict[str, Any], int]:
    body = json_object(_FIELDS)
    with transaction(services().engine) as session:
        row = invite(
            session, g.caller.workspace_id, body.get("email"), body.get("role"), _inviter()
        )
        return {"data": {"createInvitation": invitation_output(row)}}, 201


@invitations_api.post("/<invitation_id>/resend")
def resend_one(invitation_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = resend(session, g.caller.workspace_id, invitation_id, _inviter())
        return {"data": {"resendInvitation": invitation_output(row)}}


@invitations_api.delete("/<invitation_id>")
def revoke_one(invitation_id: str) -> dict[str, Any]:
    with transaction(services().engine) as session:
        row = revoke(session, g.caller.workspace_id, invitation_id)
        return {"data": {"revokeInvitation": invitation_output(row)}}
