"""Blueprints for the settings UI's pages: each request's session, sign-in and CSRF guard."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import ApiError
from hookwire.identity import load_session
from hookwire.models import Workspace
from hookwire.services import services
from hookwire.web.security import (
    SAFE_METHODS,
    SESSION_COOKIE,
    add_security_headers,
    check_csrf,
    signed_in,
)


def pages(name: str, *, public: bool = False) -> Blueprint:
    """A blueprint whose views know the signed-in user (``g.signed_in``, ``g.workspace``).

    Unless ``public``, its views need a session, and every state-changing request needs the
    session's CSRF token. Errors render as HTML pages.
    """
    blueprint = Blueprint(name, __name__, template_folder="templates")
    blueprint.before_request(_load_session)
    if not public:
        blueprint.before_request(_require_session)
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


def _api_error_page(error: ApiError) -> Response:
    return _error_page(error.status, " ".join(error.messages))


def _http_error_page(error: HTTPException) -> Response:
    return _error_page(error.code or 500, error.description or error.name)


def _error_page(status: int, message: str) -> Response:
    response = Response(
        render_template("error.html", status=status, message=message), status, mimetype="text/html"
    )
    return add_security_headers(response)
