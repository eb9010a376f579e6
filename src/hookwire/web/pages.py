"""Blueprints for the settings UI's pages: each request's session, sign-in and CSRF guard."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import ApiError
from hookwire.identity import load_session
from hookwire.models import ROLE_ADMIN, Workspace
from hookwire.services import services
from hookwire.web.security import (
    SAFE_METHODS,
    SESSION_COOKIE,
    add_security_headers,
    check_csrf,
    signed_in,
)


def pages(
    name: str, *, public: bool = False, admin_writes: bool = False, admin_only: bool = False
) -> Blueprint:
    """A blueprint whose views know the signed-in user (``g.signed_in``, ``g.workspace``).

    Unless ``public``, its views need a session, and every state-changing request needs the
    session's CSRF token. With ``admin_writes`` only admins may change anything; with
    ``admin_only`` only admins may even read. Errors render as HTML pages.
    """
    blueprint = Blueprint(name, __name__, template_folder="templates")
    blueprint.before_request(_load_session)
    if not public:
        blueprint.before_request(_require_session)
    if admin_only:
        blueprint.before_request(_require_admin)
    elif admin_writes:
        blueprint.before_request(_require_admin_to_write)
    blueprint.after_request(add_security_headers)
    blueprint.register_error_handler(ApiError, _api_error_page)
    blueprint.register_error_handler(HTTPException, _http_error_page)
    return blueprint


def _load_session() -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    with transaction(services().engine) as session:
        found = load_session(session, token)
        if found is not None:
            g.signed_in = found
            g.workspace = session.get(Workspace, found.user.workspace_id)


def _require_session() -> Response | None:
    current = signed_in()
    if current is None:
        if request.method in SAFE_METHODS:
            return redirect(url_for("sign_in_pages.sign_in", next=request.full_path.rstrip("?")))
        return _error_page(401, "Your session has ended. Sign in again.")
    if request.method not in SAFE_METHODS:
        check_csrf(current.row.csrf_token)
    return None


def is_admin() -> bool:
    """Whether the signed-in user is an admin of their workspace."""
    current = signed_in()
    return current is not None and current.user.role == ROLE_ADMIN


def _require_admin() -> Response | None:
    if not is_admin():
        return _error_page(403, "Only an admin of this workspace can open this page.")
    return None


def _require_admin_to_write() -> Response | None:
    if request.method not in SAFE_METHODS:
        return _require_admin()
    return None


def _api_error_page(error: ApiError) -> Response:
    return _error_page(error.status, " ".join(error.messages))


def _http_error_page(error: HTTPException) -> Response:
    return _error_page(error.code or 500, error.description or error.name)


def _error_page(status: int, message: str) -> Response:
    response = Response(
        render_template("error.html", status=status, message=message), status, mimetype="text/html"
    )
    return add_security_headers(response)
