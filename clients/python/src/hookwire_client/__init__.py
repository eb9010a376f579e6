"""The Python client of a Hookwire (Twenty-compatible) CRM API.

``Client`` and ``AsyncClient`` send GraphQL with the token they resolve (an explicit one,
then ``HOOKWIRE_ACCESS_TOKEN``, ``TWENTY_APP_ACCESS_TOKEN``, ``HOOKWIRE_API_KEY``,
``TWENTY_API_KEY``), refresh it once when it is refused, upload files and raise typed errors.
A workspace's own typed models and methods are generated into ``hookwire_client.generated``
(download the workspace's wheel from ``GET /sdk/python``).
"""

from hookwire_client.async_client import AsyncClient
from hookwire_client.client import Client
from hookwire_client.errors import (
    BadUserInput,
    ErrorDetail,
    Forbidden,
    GraphQLError,
    HookwireError,
    HttpError,
    NotFound,
    RefreshFailed,
    Unauthenticated,
)
from hookwire_client.tokens import Tokens, resolve_token
from hookwire_client.upload import Upload

__version__ = "0.1.0"

__all__ = [
    "AsyncClient",
    "BadUserInput",
    "Client",
    "ErrorDetail",
    "Forbidden",
    "GraphQLError",
    "HookwireError",
    "HttpError",
    "NotFound",
    "RefreshFailed",
    "Tokens",
    "Unauthenticated",
    "Upload",
    "__version__",
    "resolve_token",
]
