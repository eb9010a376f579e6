"""Turning the ``Authorization: Bearer`` header of a request into a verified caller."""

from __future__ import annotations

from flask import request
from sqlmodel import Session

from hookwire.database import is_read_only, retry_on_disconnect, transaction
from hookwire.errors import Unauthenticated
from hookwire.identity.api_keys import Caller, verify_api_key
from hookwire.identity.key_usage import key_use_is_stale, note_key_use
from hookwire.identity.oauth_tokens import is_access_token, verify_access_token
from hookwire.identity.state import identity_state


def bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Token invalid.")
    return token.strip()


def authenticate(session: Session | None = None) -> Caller:
    """The caller of the current request, or 401/403 as Twenty answers.

    The key is read in ``session`` (the request's, which its handler goes on using: one
    connection and transaction per request), else in a read-only transaction of its own. The
    key's row is read on every request, so a revoked key is refused at once. The rare write
    of its last use (once a minute at most) goes in ``session`` when it may write, else in a
    write transaction of its own.
    """
    token = bearer_token()
    state = identity_state()
    secret = state.app_secret
    if session is None:
        caller = retry_on_disconnect(lambda: _verify_alone(secret, token))
    else:
        # The key's row is the request's first statement: safe to run again on a new
        # connection if the pooled one died with a database restart.
        caller = retry_on_disconnect(
            lambda: verify_bearer(session, secret, token), reset=session.rollback
        )
    if caller.api_key_id and key_use_is_stale(caller.key_last_used_at):
        if session is not None and not is_read_only(session.get_bind()):
            note_key_use(session, caller.api_key_id)
        else:
            with transaction(state.engine) as own:
                note_key_use(own, caller.api_key_id)
    return caller


def verify_bearer(session: Session, secret: str, token: str) -> Caller:
    """The caller of an API key or of an OAuth2 access token, whichever ``token`` is."""
    if is_access_token(token):
        return verify_access_token(session, secret, token)
    return verify_api_key(session, secret, token)


def _verify_alone(secret: str, token: str) -> Caller:
    with transaction(identity_state().engine, write=False) as session:
        return verify_bearer(session, secret, token)
