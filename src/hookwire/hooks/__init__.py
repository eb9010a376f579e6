"""Webhooks: the registry, the outbox, and the dispatcher that delivers every event."""

from hookwire.hooks.dispatcher import Dispatcher, create_dispatcher
from hookwire.hooks.graphql import webhook_mutations, webhook_queries
from hookwire.hooks.outbox import Outbox
from hookwire.hooks.rest import webhooks_blueprint

__all__ = [
    "Dispatcher",
    "Outbox",
    "create_dispatcher",
    "webhook_mutations",
    "webhook_queries",
    "webhooks_blueprint",
]
