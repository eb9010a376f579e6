"""Request helpers shared by the REST blueprints: JSON bodies, the caller's catalog."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from flask import g, request
from sqlmodel import Session

from hookwire.crm.actors import Actor
from hookwire.crm.catalog import Catalog
from hookwire.database import committing, is_read_only, new_session
from hookwire.errors import BadRequest
from hookwire.identity import Caller
from hookwire.identity.guard import authenticate
from hookwire.inputs import loads
from hookwire.services import services

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_SESSION = "request_session"  # on flask.g


def json_body() -> Any:
    """The request's JSON body, refused with a 400 naming the field when it is nested too
    deeply or holds a non-finite number or unstorable text (``hookwire.inputs``)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("body: expected JSON, got an empty body")
    return loads(raw)


def json_object(fields: frozenset[str]) -> dict[str, Any]:
    """The request's JSON body as an object holding only ``fields``; else a 400 naming what
    is wrong and what was expected."""
    body = json_body()
    expected = ", ".join(sorted(fields))
    if not isinstance(body, dict):
        raise BadRequest(f"body: expected a JSON object with {expected}")
    unknown = sorted(set(body) - fields)
    if unknown:
        raise BadRequest(f"{unknown[0]}: unknown field; expected {expected}")
    return body


def require_caller() -> None:
    """``before_request`` guard: authenticate (in a transaction of its own) and load the
    caller's workspace catalog."""
    _enter(authenticate())


def require_caller_in_request_transaction() -> None:
    """``before_request`` guard of the blueprints whose handlers work in
    ``request_transaction``: authenticate in that transaction, so a request checks out one
    connection and runs one transaction (no second BEGIN, COMMIT and checkout)."""
    _enter(authenticate(_request_session()))


def require_scopes(read: str, write: str | None = None) -> Callable[[], None]:
    """A ``before_request`` guard, registered after authentication: the caller must hold
    ``read`` for a safe method and ``write`` (default: ``read``) for any other."""

    def check() -> None:
        g.caller.require(read if request.method in SAFE_METHODS else write or read)

    return check


def _enter(caller: Caller) -> None:
    g.caller = caller
    g.catalog = services().catalogs.get(caller.workspace_id, caller.metadata_version)


def _request_session() -> Session:
    """The request's session, opened now: a write transaction unless the method is safe (a
    GET never writes; on SQLite it then never waits for the write lock)."""
    session = new_session(services().engine, write=request.method not in SAFE_METHODS)
    setattr(g, _SESSION, session)
    return session


def request_transaction(*, write: bool = True) -> AbstractContextManager[Session]:
    """The request's transaction, begun by authentication, committed on success and rolled
    back on any exception, then ended. Without one (or for a write in a read-only one): a
    transaction of its own."""
    session = g.pop(_SESSION, None)
    if session is not None and write and is_read_only(session.get_bind()):
        session.close()
        session = None
    return committing(session or new_session(services().engine, write=write))


def end_request_session(_error: BaseException | None = None) -> None:
    """``teardown_request``: roll back and release a request's session that no handler
    ended (authentication refused the caller, or the handler never got to it)."""
    session = g.pop(_SESSION, None)
    if session is not None:
        session.close()


def current_catalog() -> Catalog:
    return g.catalog


def caller_actor(caller: Caller) -> Actor:
    """Who the records a caller writes say created or updated them: the API key, or the
    OAuth2 application whose token it is."""
    if caller.application_id:
        return Actor("APPLICATION", caller.key_name)
    return Actor.api_key(caller.key_name)


def capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]
