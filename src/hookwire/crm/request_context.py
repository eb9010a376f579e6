"""Request helpers shared by the REST blueprints: JSON bodies, the caller's catalog."""

from __future__ import annotations

from typing import Any

from flask import g, request

from hookwire.auth import Caller
from hookwire.auth.guard import authenticate
from hookwire.crm.actors import Actor
from hookwire.crm.catalog import Catalog
from hookwire.errors import BadRequest
from hookwire.inputs import loads
from hookwire.services import services


def json_body() -> Any:
    """The request's JSON body, refused with a 400 naming the field when it is nested too
    deeply or holds a non-finite number or unstorable text (``hookwire.inputs``)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("body: expected JSON, got an empty body")
    return loads(raw)


def require_caller() -> None:
    """``before_request`` guard: authenticate and load the caller's workspace catalog."""
    caller = authenticate()
    g.caller = caller
    g.catalog = services().catalogs.get(caller.workspace_id, caller.metadata_version)


def current_catalog() -> Catalog:
    return g.catalog


def caller_actor(caller: Caller) -> Actor:
    """Who the records a caller writes say created or updated them."""
    return Actor.api_key(caller.key_name)


def capitalized(name: str) -> str:
    return name[:1].upper() + name[1:]
