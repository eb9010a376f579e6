"""The per-app objects every request handler needs, kept on ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.crm.catalog import CatalogCache

EXTENSION_KEY = "hookwire"


@dataclass(frozen=True)
class Services:
    config: Config
    engine: Engine
    catalogs: CatalogCache


def services() -> Services:
    return current_app.extensions[EXTENSION_KEY]
