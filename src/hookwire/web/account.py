"""A user's own account: ``/settings/account`` (password, address) for the signed-in user,
and the public pages that emailed links open: forgotten password, reset, address
verification."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import BadRequest
from hookwire.identity import (
    EMAIL_VERIFICATION,
    MIN_PASSWORD_LENGTH,
    PASSWORD_RESET,
    LinkUnusable,
    find_user_token,
    start_session,
)
from hookwire.identity.sessions import SESSION_LIFETIME
from hookwire.members import (
    LinkSigner,
    change_password,
    pending_email,
    request_email_change,
    request_password_reset,
    reset_password,
    verify_email,
)
from hookwire.models import User
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    check_csrf,
    set_cookie,
    sign_in_csrf_token,
)

account_pages = pages("account_pages")
account_link_pages = pages("account_link_pages", public=True)
NOTICES = {
    "password": "Password changed. Every other session has ended; we emailed you a notice.",
    "email": "We sent a link to the new address. It becomes yours once you follow it.",
}


def _links() -> LinkSigner:
    return LinkSigner.of(services().config)


def _account_page(code: int = 200, **errors: str) -> tuple[str, int]:
    with transaction(services().engine, write=False) as session:
        pending = pending_email(session, g.signed_in.user)
    page = render_template(
        "settings/account.html",
        user=g.signed_in.user,
        pending_email=pending,
        min_password_length=MIN_PASSWORD_LENGTH,
        notice=NOTICES.get(request.args.get("notice", "")),
        **errors,
    )
    return page, code


@account_pages.get("/settings/account")
def account() -> tuple[str, int]:
    return _account_page()


@account_pages.post("/settings/account/password")
def submit_password() -> Response | tuple[str, int]:
    user_id = g.signed_in.user.id
    try:
        with transaction(services().engine) as session:
            user = session.get(User, user_id)
            assert user is not None
            change_password(
                session,
                user,
                request.form.get("current_password", ""),
                request.form.get("password", ""),
                services().config.emails.server_url,
            )
            token = start_session(session, user)  # this browser stays signed in
    except BadRequest as refused:
        return _account_page(400, password_error=" ".join(refused.messages))
    response = redirect(url_for("account_pages.account", notice="password"), code=303)
    set_cookie(response, SESSION_COOKIE, token, max_age=int(SESSION_LIFETIME.total_seconds()))
    return response


@account_pages.post("/settings/account/email")
def submit_email() -> Response | tuple[str, int]:
    try:
        with transaction(services().engine) as session:
            user = session.get(User, g.signed_in.user.id)
            assert user is not None
            request_email_change(session, user, request.form.get("email", ""), _links())
    except BadRequest as refused:
        return _account_page(400, email_error=" ".join(refused.messages))
    return redirect(url_for("account_pages.account", notice="email"), code=303)


@account_link_pages.get("/forgot-password")
def forgot_password() -> str:
    return render_template("forgot_password.html", csrf_token=sign_in_csrf_token())


@account_link_pages.post("/forgot-password")
def submit_forgot_password() -> str:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    email = request.form.get("email", "").strip()
    with transaction(services().engine) as session:
        request_password_reset(session, email, _links())
    # The same answer whether or not the address has an account.
    return render_template("forgot_password.html", sent_to=email)


def _link_form(template: str, purpose: str, code: int = 200, **values: object):
    token = request.values.get("token", "")
    try:
        with transaction(services().engine, write=False) as session:
            find_user_token(session, token, purpose, services().config.app_secret)
    except LinkUnusable as unusable:
        return render_template("link_unusable.html", message=str(unusable)), 410
    page = render_template(
        template,
        token=token,
        csrf_token=sign_in_csrf_token(),
        min_password_length=MIN_PASSWORD_LENGTH,
        **values,
    )
    return page, code


@account_link_pages.get("/reset-password")
def reset_password_form() -> tuple[str, int]:
    return _link_form("reset_password.html", PASSWORD_RESET)


@account_link_pages.post("/reset-password")
def submit_reset_password() -> Response | tuple[str, int]:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    try:
        with transaction(services().engine) as session:
            reset_password(
                session, request.form.get("token", ""), request.form.get("password"), _links()
            )
    except LinkUnusable as unusable:
        return render_template("link_unusable.html", message=str(unusable)), 410
    except BadRequest as refused:
        return _link_form("reset_password.html", PASSWORD_RESET, 400, error=refused.messages[0])
    return redirect(url_for("sign_in_pages.sign_in", notice="password-reset"), code=303)


@account_link_pages.get("/verify-email")
def verify_email_form() -> tuple[str, int]:
    # A button, not the GET itself: mail scanners follow links and would use this one up.
    return _link_form("verify_email.html", EMAIL_VERIFICATION)


@account_link_pages.post("/verify-email")
def submit_verify_email() -> tuple[str, int]:
    check_csrf(request.cookies.get(SIGN_IN_CSRF_COOKIE, ""))
    try:
        with transaction(services().engine) as session:
            user = verify_email(
                session, request.form.get("token", ""), services().config.app_secret
            )
            email = user.email
    except LinkUnusable as unusable:
        return render_template("link_unusable.html", message=str(unusable)), 410
    except BadRequest as refused:
        return render_template("link_unusable.html", message=refused.messages[0]), 409
    return render_template("verify_email.html", verified=email), 200
