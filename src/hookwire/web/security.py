"""The settings UI's browser security: session cookie, CSRF checks and response headers."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from flask import Response, abort, g, request

from hookwire.identity import SignedIn
from hookwire.services import services

SESSION_COOKIE = "hookwire_session"
SIGN_IN_CSRF_COOKIE = "hookwire_sign_in_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


def cookies_secure() -> bool:
    """As ``HOOKWIRE_SECURE_COOKIES`` says; by default, when the request came over HTTPS."""
    configured = services().config.secure_cookies
    return request.is_secure if configured is None else configured


def set_cookie(response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="Lax", secure=cookies_secure()
    )


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, httponly=True, samesite="Lax", secure=cookies_secure())


def sign_in_csrf_token() -> str:
    """The double-submit token of the sign-in form (there is no session yet)."""
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE) or g.get("new_sign_in_csrf")
    if not token:
        token = g.new_sign_in_csrf = secrets.token_urlsafe(32)
    return token


def submitted_csrf_token() -> str:
    return request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD) or ""


def check_same_origin() -> None:
    """Refuse a state-changing request that a browser says came from another site."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if (parts.scheme, parts.netloc) != (request.scheme, request.host):
            abort(403, "cross-site request refused")
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403, "cross-site request refused")


def check_csrf(expected: str) -> None:
    """403 unless the request carries ``expected`` in its form or X-CSRF-Token header."""
    check_same_origin()
    submitted = submitted_csrf_token()
    if not expected or not hmac.compare_digest(submitted.encode(), expected.encode()):
        abort(403, "missing or wrong CSRF token; reload the page and try again")


def signed_in() -> SignedIn | None:
    return g.get("signed_in")


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "web.static":
        response.headers["Cache-Control"] = "no-store"
    new_token = g.get("new_sign_in_csrf")
    if new_token:
        set_cookie(response, SIGN_IN_CSRF_COOKIE, new_token)
    return response
