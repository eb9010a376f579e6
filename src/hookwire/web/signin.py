"""``/sign-in`` and ``/sign-out``."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.auth import (
    SignInThrottled,
    check_allowed,
    check_credentials,
    end_session,
    record_failure,
    record_success,
    start_session,
    throttle_keys,
)
from hookwire.auth.sessions import SESSION_LIFETIME
from hookwire.database import transaction
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.playground import revoke_playground_key
from hookwire.web.security import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    check_csrf,
    clear_cookie,
    set_cookie,
    sign_in_csrf_token,
    signed_in,
)

sign_in_pages = pages("sign_in_pages", public=True)
HOME = "/settings/apis"


def _next_path() -> str:
    """Where to go after signing in: a path on this server only."""
    target = request.values.get("next", "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME
    return target


@sign_in_pages.get("/sign-in")
def sign_in() -> Response | str:
    if signed_in() is not None:
        return redirect(_next_path())
    return render_template("sign_in.html", csrf_token=sign_in_csrf_token(), next=_next_path())


@sign_in_pages.post("/sign-in")
def submit_sign_in() -> Response | tuple[str, int, dict[str, str]]:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    keys = throttle_keys(email, request.remote_addr)
    with transaction(services().engine) as session:
        try:
            check_allowed(session, keys)
        except SignInThrottled as throttled:
            return _sign_in_again(email, str(throttled), 429, throttled.retry_after)
        user = check_credentials(session, email, password)
        if user is None:
            record_failure(session, keys)
        else:
            record_success(session, next(iter(keys)))
            token = start_session(session, user)
    if user is None:
        return _sign_in_again(email, "Wrong e-mail address or password.", 401)
    response = redirect(_next_path(), code=303)
    set_cookie(response, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()))
    clear_cookie(response, SIGN_IN_CSRF_COOKIE)
    return response


def _sign_in_again(
    email: str, error: str, status: int, retry_after: int | None = None
) -> tuple[str, int, dict[str, str]]:
    page = render_template(
        "sign_in.html",
        csrf_token=sign_in_csrf_token(),
        next=_next_path(),
        email=email,
        error=error,
    )
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return page, status, headers


@sign_in_pages.post("/sign-out")
def sign_out() -> Response:
    current = signed_in()
    if current is not None:
        check_csrf(current.row.csrf_token)
        with transaction(services().engine) as session:
            revoke_playground_key(session, current)
            end_session(session, current.row)
    response = redirect(url_for("sign_in_pages.sign_in"), code=303)
    clear_cookie(response, SESSION_COOKIE)
    return response
