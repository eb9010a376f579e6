"""Turning the ``Authorization: Bearer`` header of a request into a verified caller."""

from __future__ import annotations

from flask import request

from hookwire.auth.api_keys import Caller, verify_api_key
from hookwire.auth.key_usage import key_use_is_stale, note_key_use
from hookwire.database import transaction
from hookwire.errors import Unauthenticated
from hookwire.services import services


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Token invalid.")
    return token.strip()


def authenticate() -> Caller:
    """The caller of the current request, or 401/403 as Twenty answers.

    The key is read in a read-only transaction; the rare write of its last use (once a
    minute at most) is a write transaction of its own.
    """
    token = bearer_token()
    app_services = services()
    with transaction(app_services.engine, write=False) as session:
        caller = verify_api_key(session, app_services.config.app_secret, token)
    if key_use_is_stale(caller.key_last_used_at):
        with transaction(app_services.engine) as session:
            note_key_use(session, caller.api_key_id)
    return caller
