"""The connector framework: definitions validated by JSON Schema, and the runtime that runs them.

Only HTTP reaches the CRM from here: this package never imports ``hookwire.crm`` or
``hookwire.hooks``.

The names below are imported on first use (PEP 562), so that importing a light part of the
package (``hookwire.connector.cli`` for ``hookwire --help``) does not load the runtime's
HTTP, OAuth and JSON Schema libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    "Bundle": "bundle",
    "Meta": "bundle",
    "Deduper": "dedupe",
    "ConnectorError": "errors",
    "DefinitionError": "errors",
    "ExpiredAuthError": "errors",
    "HaltedError": "errors",
    "RefreshAuthError": "errors",
    "RequestFailedError": "errors",
    "ResponseError": "errors",
    "ResultError": "errors",
    "ThrottledError": "errors",
    "Request": "requester",
    "Requester": "requester",
    "Connector": "runtime",
    "run": "runtime",
    "DEFINITION_SCHEMA": "schema",
    "validate_definition": "validation",
}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
