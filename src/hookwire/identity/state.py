"""What identity works with inside an app: the database and the secret tokens are signed with,
kept on ``app.extensions`` (identity sits below the CRM and the app's services)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy.engine import Engine

_KEY = "hookwire.identity"


@dataclass(frozen=True)
class IdentityState:
    engine: Engine
    app_secret: str


def install_identity_state(app: Flask, engine: Engine, app_secret: str) -> None:
    app.extensions[_KEY] = IdentityState(engine, app_secret)


def identity_state() -> IdentityState:
    return current_app.extensions[_KEY]
