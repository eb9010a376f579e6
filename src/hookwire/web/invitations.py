"""``/invitations/accept``: the public page an invitation link opens. It asks for a name and
a password, creates the user with the invited role, and signs them in."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.identity.sessions import SESSION_LIFETIME
from hookwire.identity.users import MIN_PASSWORD_LENGTH
from hookwire.members import InvitationUnusable, accept, find_usable
from hookwire.models import Workspace
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    check_csrf,
    clear_cookie,
    set_cookie,
    sign_in_csrf_token,
)

invitation_pages = pages("invitation_pages", public=True)


def _form(token: str, code: int = 200, error: str | None = None, name: str = "") -> tuple[str, int]:
    secret = services().config.app_secret
    try:
        with transaction(services().engine, write=False) as session:
            invitation = find_usable(session, token, secret)
            workspace = session.get(Workspace, invitation.workspace_id)
    except InvitationUnusable as unusable:
        return render_template("link_unusable.html", what="invitation", message=str(unusable)), 410
    page = render_template(
        "invitation_accept.html",
        invitation=invitation,
        workspace_name=workspace.display_name if workspace else "",
        token=token,
        csrf_token=sign_in_csrf_token(),
        min_password_length=MIN_PASSWORD_LENGTH,
        name=name,
        error=error,
    )
    return page, code


@invitation_pages.get("/invitations/accept")
def accept_form() -> tuple[str, int]:
    return _form(request.args.get("token", ""))


@invitation_pages.post("/invitations/accept")
def submit() -> Response | tuple[str, int]:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    token = request.form.get("token", "")
    name = request.form.get("name", "")
    try:
        with transaction(services().engine) as session:
            _, session_token = accept(
                session,
                token,
                services().config.app_secret,
                name,
                request.form.get("password", ""),
            )
    except InvitationUnusable as unusable:
        return render_template("link_unusable.html", what="invitation", message=str(unusable)), 410
    except BadRequest as refused:
        return _form(token, 400, " ".join(refused.messages), name)
    response = redirect(url_for("api_pages.apis"), code=303)
    set_cookie(
        response, SESSION_COOKIE, session_token, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    clear_cookie(response, SIGN_IN_CSRF_COOKIE)
    return response
