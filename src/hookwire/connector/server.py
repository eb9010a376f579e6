"""``hookwire connector serve``: the runtime over HTTP, for platforms written in any language.

``POST /invoke {"operation": "...", "bundle": {...}}`` answers ``{"result": ...}`` (plus
``authData`` when a token was refreshed), or ``{"error": {"type", "message"}}`` with 4xx/5xx.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, request

from hookwire.connector.bundle import Bundle
from hookwire.connector.errors import ConnectorError
from hookwire.connector.runtime import Connector

log = logging.getLogger(__name__)


def create_runtime_app(connector: Connector) -> Flask:
    app = Flask("hookwire.connector")

    @app.get("/healthz")
    def health() -> dict[str, Any]:
        return {"status": "ok", "connector": connector.key}

    @app.get("/definition")
    def definition() -> dict[str, Any]:
        return connector.definition

    @app.post("/invoke")
    def invoke() -> tuple[dict[str, Any], int]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("operation"), str):
            return _error("BadRequest", 'expected JSON {"operation": "...", "bundle": {...}}', 400)
        try:
            bundle = Bundle.from_dict(body.get("bundle"))
            before = dict(bundle.auth_data)
            result = connector.run(body["operation"], bundle)
        except ConnectorError as error:
            return {"error": error.to_dict()}, 422
        except Exception as error:  # a bug in a connector must not take the runtime down
            log.exception("operation %s failed", body["operation"])
            return _error("Error", f"{type(error).__name__}: {error}", 500)
        answer: dict[str, Any] = {"result": result}
        if bundle.auth_data != before:
            answer["authData"] = bundle.auth_data
        return answer, 200

    return app


def _error(kind: str, message: str, status: int) -> tuple[dict[str, Any], int]:
    return {"error": {"type": kind, "message": message}}, status
