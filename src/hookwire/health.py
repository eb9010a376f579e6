"""``GET /healthz``: the process is up and its database answers."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy.exc import SQLAlchemyError

from hookwire import __version__
from hookwire.database import ping
from hookwire.services import services

health_api = Blueprint("health_api", __name__)


@health_api.get("/healthz")
def healthz() -> tuple[dict, int]:
    try:
        ping(services().engine)
    except SQLAlchemyError as error:
        reason = str(error.orig if hasattr(error, "orig") else error).splitlines()[0]
        return {
            "status": "error",
            "version": __version__,
            "database": {"status": "down", "error": reason},
        }, 503
    return {"status": "ok", "version": __version__, "database": {"status": "up"}}, 200
