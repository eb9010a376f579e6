"""The application factory."""

from __future__ import annotations

from flask import Flask

from hookwire.config import Config, load_config
from hookwire.crm import register_crm
from hookwire.crm.catalog import CatalogCache
from hookwire.crm.graphql.metadata_schema import build_metadata_schema
from hookwire.database import create_db_engine
from hookwire.errors import register_error_handlers
from hookwire.health import health_api
from hookwire.hooks import (
    Outbox,
    create_dispatcher,
    webhook_mutations,
    webhook_queries,
    webhooks_blueprint,
)
from hookwire.services import EXTENSION_KEY, Services
from hookwire.web import register_web


def create_app(config: Config | None = None, *, start_dispatcher: bool = True) -> Flask:
    """A Flask app for ``config`` (default: from the environment). Migrations are not run.

    The dispatcher thread relays webhook events and, without Redis, delivers them too.
    """
    config = config or load_config()
    engine = create_db_engine(config.database_url)
    dispatcher = create_dispatcher(engine, config)
    app = Flask(__name__)
    app.json.sort_keys = False
    app.extensions[EXTENSION_KEY] = Services(
        config=config,
        engine=engine,
        catalogs=CatalogCache(engine),
        metadata_schema=build_metadata_schema(webhook_queries(), webhook_mutations()),
        change_sink=Outbox(on_commit=dispatcher.notify),
        wake_dispatcher=dispatcher.notify,
    )
    register_error_handlers(app)
    app.register_blueprint(health_api)
    app.register_blueprint(webhooks_blueprint("webhooks_api", "/rest/metadata/webhooks"))
    app.register_blueprint(webhooks_blueprint("webhooks_alias_api", "/rest/webhooks"))
    register_crm(app)
    register_web(app)
    if start_dispatcher:
        dispatcher.start()
    return app
