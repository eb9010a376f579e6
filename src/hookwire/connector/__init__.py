"""The connector framework: definitions validated by JSON Schema, and the runtime that runs them.

Only HTTP reaches the CRM from here: this package never imports ``hookwire.crm`` or
``hookwire.hooks``.
"""

from hookwire.connector.bundle import Bundle, Meta
from hookwire.connector.dedupe import Deduper
from hookwire.connector.errors import (
    ConnectorError,
    DefinitionError,
    ExpiredAuthError,
    HaltedError,
    RefreshAuthError,
    RequestFailedError,
    ResponseError,
    ResultError,
    ThrottledError,
)
from hookwire.connector.requester import Request, Requester
from hookwire.connector.runtime import Connector, run
from hookwire.connector.schema import DEFINITION_SCHEMA
from hookwire.connector.validation import validate_definition

__all__ = [
    "DEFINITION_SCHEMA",
    "Bundle",
    "Connector",
    "ConnectorError",
    "Deduper",
    "DefinitionError",
    "ExpiredAuthError",
    "HaltedError",
    "Meta",
    "RefreshAuthError",
    "Request",
    "RequestFailedError",
    "Requester",
    "ResponseError",
    "ResultError",
    "ThrottledError",
    "run",
    "validate_definition",
]
