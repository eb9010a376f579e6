"""Invitations to join a workspace: created with a role, sent as an ``invitation`` email in
the same transaction, resent with a fresh link, revoked, and accepted once.

The link carries a random token. Only its HMAC under the app secret is stored, so neither a
database reader nor anyone without the secret can make a working link; a resend replaces the
token, so only the latest link works.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from hookwire.emails import EmailTemplateError, enqueue_email
from hookwire.errors import BadRequest, NotFound
from hookwire.identity import create_user, find_user, link_digest, start_session
from hookwire.members.links import LinkSigner
from hookwire.members.roster import check_role
from hookwire.models import Invitation, User, Workspace, utcnow

INVITATION_LIFETIME = timedelta(days=7)
ACCEPT_PATH = "/invitations/accept"
MAX_NAME_LENGTH = 200


class InvitationUnusable(Exception):
    """The link was used, revoked, superseded or has expired; ``str()`` says which."""


@dataclass(frozen=True)
class Inviter:
    """Who sends invitations: the words the email names them by, and how links are made."""

    name: str
    links: LinkSigner


def status(row: Invitation) -> str:
    if row.accepted_at is not None:
        return "accepted"
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at <= utcnow():
        return "expired"
    return "pending"


def list_invitations(session: Session, workspace_id: str) -> list[Invitation]:
    return list(
        session.exec(
            select(Invitation)
            .where(Invitation.workspace_id == workspace_id)
            .order_by(col(Invitation.created_at).desc(), col(Invitation.id))
        )
    )


def get_invitation(session: Session, workspace_id: str, invitation_id: str) -> Invitation:
    row = session.get(Invitation, invitation_id)
    if row is None or row.workspace_id != workspace_id:
        raise NotFound(f"no invitation with id '{invitation_id}' in this workspace")
    return row


def invite(
    session: Session, workspace_id: str, email: object, role: object, inviter: Inviter
) -> Invitation:
    """A new pending invitation, its email written in ``session``'s transaction."""
    address = _check_email(email)
    role = check_role(role)
    if find_user(session, address) is not None:
        raise BadRequest(f"email: '{address}' already belongs to a user")
    pending = session.exec(
        select(Invitation).where(
            Invitation.workspace_id == workspace_id,
            Invitation.email == address,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.revoked_at).is_(None),
            Invitation.expires_at > utcnow(),
        )
    ).first()
    if pending is not None:
        raise BadRequest(f"email: '{address}' already has a pending invitation; resend it")
    row = Invitation(
        workspace_id=workspace_id,
        email=address,
        role=role,
        token_hash="",
        invited_by=inviter.name,
        expires_at=utcnow(),
    )
    _send(session, row, inviter)
    return row


def resend(session: Session, workspace_id: str, invitation_id: str, inviter: Inviter) -> Invitation:
    """Send a pending or expired invitation again with a new link (the old one stops
    working) and a new expiry."""
    row = get_invitation(session, workspace_id, invitation_id)
    if row.accepted_at is not None or row.revoked_at is not None:
        raise BadRequest(f"id: the invitation is {status(row)}; only a pending one is resent")
    _send(session, row, inviter)
    return row


def revoke(session: Session, workspace_id: str, invitation_id: str) -> Invitation:
    row = get_invitation(session, workspace_id, invitation_id)
    if row.accepted_at is not None:
        raise BadRequest("id: the invitation was already accepted; remove the member instead")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.flush()
    return row


def find_usable(session: Session, token: str, secret: str) -> Invitation:
    """The pending invitation ``token`` opens; InvitationUnusable otherwise."""
    row = session.exec(
        select(Invitation).where(Invitation.token_hash == link_digest(token, secret))
    ).first()
    if row is None:
        raise InvitationUnusable(
            "This invitation link is not valid: it was mistyped, or replaced by a newer one."
        )
    state = status(row)
    if state != "pending":
        raise InvitationUnusable(
            {
                "accepted": "This invitation has already been used. Sign in instead.",
                "revoked": "This invitation was revoked. Ask an admin for a new one.",
                "expired": "This invitation has expired. Ask an admin to send it again.",
            }[state]
        )
    return row


def accept(
    session: Session, token: str, secret: str, name: object, password: object
) -> tuple[User, str]:
    """Create the invited user, mark the invitation used, and return the user and a new
    session token. Raises InvitationUnusable or BadRequest, changing nothing."""
    row = find_usable(session, token, secret)
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME_LENGTH:
        raise BadRequest(f"name: required, at most {MAX_NAME_LENGTH} characters")
    if not isinstance(password, str):
        raise BadRequest("password: expected a string")
    # Claimed with a conditional update, so two accepts of one link cannot both succeed.
    claimed = session.execute(
        sa.update(Invitation)
        .where(col(Invitation.id) == row.id, col(Invitation.accepted_at).is_(None))
        .values(accepted_at=utcnow())
    )
    if claimed.rowcount != 1:
        raise InvitationUnusable("This invitation has already been used. Sign in instead.")
    user = create_user(session, row.workspace_id, row.email, password)
    user.role = row.role
    user.name = name.strip()
    user.email_verified_at = utcnow()  # the invitation reached it
    session.add(user)
    session.flush()
    return user, start_session(session, user)


def _send(session: Session, row: Invitation, inviter: Inviter) -> None:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row.token_hash = link_digest(token, inviter.links.secret)
    row.sent_at = now
    row.expires_at = now + INVITATION_LIFETIME
    session.add(row)
    session.flush()
    workspace = session.get(Workspace, row.workspace_id)
    assert workspace is not None
    try:
        _enqueue(session, row, workspace.display_name, token, inviter)
    except EmailTemplateError as error:  # an address the sender would refuse
        raise BadRequest(f"email: expected an e-mail address, got {row.email!r}") from error


def _enqueue(
    session: Session, row: Invitation, workspace_name: str, token: str, inviter: Inviter
) -> None:
    enqueue_email(
        session,
        "invitation",
        row.email,
        {
            "inviter_name": inviter.name,
            "workspace_name": workspace_name,
            "role": row.role,
            "accept_url": inviter.links.url(ACCEPT_PATH, token),
            "expires_in_days": INVITATION_LIFETIME.days,
        },
        workspace_id=row.workspace_id,
    )


def _check_email(email: object) -> str:
    address = email.strip().lower() if isinstance(email, str) else ""
    if len(address) > 254 or "@" not in address or any(c.isspace() for c in address):
        raise BadRequest(f"email: expected an e-mail address, got {email!r}")
    local, _, domain = address.rpartition("@")
    if not local or not domain or "@" in local:
        raise BadRequest(f"email: expected an e-mail address, got {email!r}")
    return address
