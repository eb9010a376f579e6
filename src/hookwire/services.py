"""The per-app objects every request handler needs, kept on ``app.extensions``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask import current_app
from graphql import GraphQLField, GraphQLSchema
from sqlalchemy.engine import Engine
from sqlmodel import Session

from hookwire.config import Config

if TYPE_CHECKING:  # the CRM's request handlers import this module: no import of the CRM here
    from hookwire.crm.actors import Actor
    from hookwire.crm.catalog import Catalog, CatalogCache
    from hookwire.crm.records import ChangeSink, RecordStore

EXTENSION_KEY = "hookwire"


@dataclass(frozen=True)
class ChannelWork:
    """How a request starts connected accounts' background work: ``sync_soon()`` dispatches
    the syncs that are due now; ``clean_up(workspace_id)`` queues the cleanup after a
    disconnect."""

    sync_soon: Callable[[], None] = lambda: None
    clean_up: Callable[[str], None] = lambda workspace_id: None


@dataclass(frozen=True)
class Services:
    config: Config
    engine: Engine
    catalogs: CatalogCache
    metadata_schema: GraphQLSchema
    change_sink: ChangeSink | None = None
    wake_dispatcher: Callable[[], None] = lambda: None
    # Root mutations other packages add to every workspace's /graphql schema (file uploads).
    records_mutations: Mapping[str, GraphQLField] = field(default_factory=dict)
    channel_work: ChannelWork = field(default_factory=ChannelWork)

    def record_store(
        self, session: Session, catalog: Catalog, actor: Actor | None = None
    ) -> RecordStore:
        """A records store writing as ``actor`` (default: the system), whose changes reach the
        webhook outbox."""
        from hookwire.crm.actors import SYSTEM  # at call time: see the imports above
        from hookwire.crm.records import RecordStore

        store_actor = actor or SYSTEM
        return RecordStore(session, catalog, self.change_sink, store_actor, self.config.max_batch)


def services() -> Services:
    return current_app.extensions[EXTENSION_KEY]
