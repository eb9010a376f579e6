"""The bundled CRM connector's authentication: an API key and the server's URL.

The key travels only to ``apiUrl``: a connector that calls another host does not leak it.
"""

from __future__ import annotations

from typing import Any

import requests

from hookwire.connector import Bundle, ExpiredAuthError, Request, Requester
from hookwire.triggers.crm_api import api_url, default_api_url, graphql

CURRENT_WORKSPACE = "query CurrentWorkspace { currentWorkspace { id displayName } }"


def add_api_key(request: Request, z: Requester, bundle: Bundle) -> Request:
    """``beforeRequest``: the bearer token on every request to the connected server."""
    if request.url.startswith(api_url(bundle) + "/"):
        request.headers.setdefault("Authorization", f"Bearer {bundle.auth_data.get('apiKey', '')}")
    return request


def reject_bad_key(response: requests.Response, z: Requester, bundle: Bundle) -> requests.Response:
    """``afterResponse``: a REST 401/403 means the key is wrong, expired or revoked."""
    if response.status_code in (401, 403) and response.url.startswith(api_url(bundle)):
        try:
            messages = "; ".join(response.json().get("messages") or [])
        except ValueError:
            messages = response.text[:200]
        raise ExpiredAuthError(
            f"the server rejected the API key ({messages or response.status_code}); create a "
            "new key (hookwire apikey create) and reconnect"
        )
    return response


def test_auth(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """The workspace the key belongs to: ``{id, displayName}``."""
    return graphql(z, bundle, "metadata", CURRENT_WORKSPACE)["currentWorkspace"]


AUTHENTICATION: dict[str, Any] = {
    "type": "custom",
    "fields": [
        {
            "key": "apiKey",
            "label": "API Key",
            "type": "password",
            "required": True,
            "helpText": "An API key of your workspace (Settings → API keys, or "
            "`hookwire apikey create`).",
        },
        {
            "key": "apiUrl",
            "label": "API URL",
            "type": "string",
            "required": False,
            "default": default_api_url(),
            "helpText": "The server's base URL, without /rest or /graphql.",
        },
    ],
    "test": test_auth,
    "connectionLabel": "{{bundle.inputData.displayName}}",
}
