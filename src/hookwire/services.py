"""The per-app objects every request handler needs, kept on ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from graphql import GraphQLSchema
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import Config
from hookwire.crm.actors import SYSTEM, Actor
from hookwire.crm.catalog import Catalog, CatalogCache
from hookwire.crm.records import ChangeSink, RecordStore

EXTENSION_KEY = "hookwire"


@dataclass(frozen=True)
class Services:
    config: Config
    engine: Engine
    catalogs: CatalogCache
    metadata_schema: GraphQLSchema
    change_sink: ChangeSink | None = None
    wake_dispatcher: Callable[[], None] = lambda: None

    def record_store(
        self, session: Session, catalog: Catalog, actor: Actor = SYSTEM
    ) -> RecordStore:
        """A records store writing as ``actor``, whose changes reach the webhook outbox."""
        return RecordStore(session, catalog, self.change_sink, actor, self.config.max_batch)


def services() -> Services:
    return current_app.extensions[EXTENSION_KEY]
