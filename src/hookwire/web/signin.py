"""``/sign-in`` and ``/sign-out``."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.identity import (
    SignInThrottled,
    check_credentials,
    end_session,
    record_failure,
    record_success,
    reserve_attempt,
    start_session,
    throttle_keys,
)
from hookwire.identity.sessions import SESSION_LIFETIME
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
NOTICES = {"password-reset": "Your password was changed. Sign in with the new one."}


def _next_path() -> str:
    """Where to go after signing in: ``next`` if it is a path on this server, else HOME."""
    target = request.values.get("next", "")
    return target if _is_same_site_path(target) else HOME


def _is_same_site_path(target: str) -> bool:
    """A path no browser reads as another site's address: a single leading ``/``, no
    backslash (browsers read it as ``/``), and no control character or whitespace anywhere
    (browsers drop tabs and newlines, so ``/<tab>/evil.example`` would become
    ``//evil.example``)."""
    return (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
        and " " not in target
    )


@sign_in_pages.get("/sign-in")
def sign_in() -> Response | str:
    if signed_in() is not None:
        return redirect(_next_path())
    return render_template(
        "sign_in.html",
        csrf_token=sign_in_csrf_token(),
        next=_next_path(),
        notice=NOTICES.get(request.args.get("notice", "")),
    )


@sign_in_pages.post("/sign-in")
def submit_sign_in() -> Response | tuple[str, int, dict[str, str]]:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    email = request.form.get("email", "").strip().lower()
    password = request.form.get("password", "")
    keys = throttle_keys(email, request.remote_addr)
    engine = services().engine
    try:
        with transaction(engine) as session:  # committed before the slow password check
            reserve_attempt(session, keys)
    except SignInThrottled as throttled:
        return _sign_in_again(email, str(throttled), 429, throttled.retry_after)
    with transaction(engine, write=False) as session:  # the slow hash holds no write lock
        user = check_credentials(session, email, password)
    with transaction(engine) as session:
        if user is None:
            record_failure(session, keys)
        else:
            record_success(session, keys)
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
