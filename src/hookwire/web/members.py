"""``/settings/members`` (admins only): the workspace's users, their roles and removal, and
invitations (invite, resend, revoke)."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.members import (
    Inviter,
    LinkSigner,
    change_role,
    invite,
    list_invitations,
    list_members,
    remove_member,
    resend,
    revoke,
    status,
)
from hookwire.models import ROLE_MEMBER, USER_ROLES
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import SESSION_COOKIE, clear_cookie

member_pages = pages("member_pages", admin_only=True)
NOTICES = {
    "removed": "Member removed: their sessions have ended.",
    "role": "Role changed.",
    "invited": "Invitation sent.",
    "resent": "Invitation sent again with a new link; the previous link no longer works.",
    "revoked": "Invitation revoked: its link no longer works.",
}


def _inviter() -> Inviter:
    config = services().config
    user = g.signed_in.user
    return Inviter(user.name or user.email, LinkSigner.of(config))


def _page(
    code: int = 200,
    error: str | None = None,
    invite_error: str | None = None,
    invite_form: dict[str, str] | None = None,
) -> tuple[str, int]:
    with transaction(services().engine, write=False) as session:
        members = list_members(session, g.workspace.id)
        invitations = list_invitations(session, g.workspace.id)
    page = render_template(
        "settings/members.html",
        members=members,
        invitations=invitations,
        invitation_status=status,
        invite_error=invite_error,
        invite_form=invite_form or {"email": "", "role": ROLE_MEMBER},
        roles=USER_ROLES,
        me=g.signed_in.user.id,
        notice=NOTICES.get(request.args.get("notice", "")),
        error=error,
    )
    return page, code


@member_pages.get("/settings/members")
def members() -> tuple[str, int]:
    return _page()


@member_pages.post("/settings/members/<user_id>/role")
def set_role(user_id: str) -> Response | tuple[str, int]:
    try:
        with transaction(services().engine) as session:
            change_role(session, g.workspace.id, user_id, request.form.get("role", ""))
    except BadRequest as refused:
        return _page(400, " ".join(refused.messages))
    if user_id == g.signed_in.user.id:  # no longer an admin: this page is closed to them now
        return redirect(url_for("api_pages.apis"), code=303)
    return redirect(url_for("member_pages.members", notice="role"), code=303)


@member_pages.post("/settings/members/<user_id>/remove")
def remove(user_id: str) -> Response | tuple[str, int]:
    try:
        with transaction(services().engine) as session:
            remove_member(session, g.workspace.id, user_id)
    except BadRequest as refused:
        return _page(400, " ".join(refused.messages))
    if user_id == g.signed_in.user.id:  # their own session has just ended
        response = redirect(url_for("sign_in_pages.sign_in"), code=303)
        clear_cookie(response, SESSION_COOKIE)
        return response
    return redirect(url_for("member_pages.members", notice="removed"), code=303)


@member_pages.post("/settings/members/invitations")
def create_invitation() -> Response | tuple[str, int]:
    form = {"email": request.form.get("email", ""), "role": request.form.get("role", "")}
    try:
        with transaction(services().engine) as session:
            invite(session, g.workspace.id, form["email"], form["role"], _inviter())
    except BadRequest as refused:
        return _page(400, invite_error=" ".join(refused.messages), invite_form=form)
    return redirect(url_for("member_pages.members", notice="invited"), code=303)


@member_pages.post("/settings/members/invitations/<invitation_id>/resend")
def resend_invitation(invitation_id: str) -> Response | tuple[str, int]:
    try:
        with transaction(services().engine) as session:
            resend(session, g.workspace.id, invitation_id, _inviter())
    except BadRequest as refused:
        return _page(400, invite_error=" ".join(refused.messages))
    return redirect(url_for("member_pages.members", notice="resent"), code=303)


@member_pages.post("/settings/members/invitations/<invitation_id>/revoke")
def revoke_invitation(invitation_id: str) -> Response | tuple[str, int]:
    try:
        with transaction(services().engine) as session:
            revoke(session, g.workspace.id, invitation_id)
    except BadRequest as refused:
        return _page(400, invite_error=" ".join(refused.messages))
    return redirect(url_for("member_pages.members", notice="revoked"), code=303)
