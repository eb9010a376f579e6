"""The application factory."""

from __future__ import annotations

from flask import Flask

from hookwire.config import Config, load_config
from hookwire.crm import register_crm
from hookwire.crm.catalog import CatalogCache
from hookwire.database import create_db_engine
from hookwire.errors import register_error_handlers
from hookwire.health import health_api
from hookwire.services import EXTENSION_KEY, Services


def create_app(config: Config | None = None) -> Flask:
    """A Flask app for ``config`` (default: from the environment). Migrations are not run."""
    config = config or load_config()
    engine = create_db_engine(config.database_url)
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = Services(config, engine, CatalogCache(engine))
    register_error_handlers(app)
    app.register_blueprint(health_api)
    register_crm(app)
    return app
