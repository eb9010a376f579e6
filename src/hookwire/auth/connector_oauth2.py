"""The bundled CRM connector's oauth2 authentication: Hookwire's own authorization server.

The platform registers an OAuth application in the workspace (Settings → APIs, or
``POST /rest/metadata/applications``) and the connection holds its client id and secret
beside ``apiUrl``. The authorization code is exchanged at ``/oauth/token``; a refused access
token (expired, or otherwise invalid) makes the runtime refresh it once and run the operation
again, so the caller only sees the new tokens in ``bundle.auth_data``.
"""

from __future__ import annotations

from typing import Any

import requests

from hookwire.auth.connector_auth import test_auth
from hookwire.connector import Bundle, ExpiredAuthError, RefreshAuthError, Request, Requester
from hookwire.triggers.crm_api import api_url, default_api_url

# What the bundled triggers and actions use: records, object metadata, webhooks.
SCOPE = "records:read records:write metadata:read webhooks"
_API_URL = "{{bundle.authData.apiUrl}}"


def add_access_token(request: Request, z: Requester, bundle: Bundle) -> Request:
    """``beforeRequest``: ``Bearer <access_token>`` on requests to ``apiUrl``, and only there.

    The runtime adds the header to every request of an oauth2 connector; one to another host
    (a file URL, say) goes without it, so the token never leaves the server it belongs to.
    """
    token = bundle.auth_data.get("access_token")
    bearer = f"Bearer {token}"
    if request.url.startswith(api_url(bundle) + "/"):
        request.headers.setdefault("Authorization", bearer)
    else:
        request.headers = {
            name: value
            for name, value in request.headers.items()
            if not (name.lower() == "authorization" and value == bearer)
        }
    return request


def refresh_when_refused(
    response: requests.Response, z: Requester, bundle: Bundle
) -> requests.Response:
    """``afterResponse``: turn the server's refusals of the token into the runtime's errors.

    REST answers an expired or invalid token with 401, which the runtime's ``autoRefresh``
    handles itself. GraphQL answers it with 200 and an ``UNAUTHENTICATED`` error (as Twenty
    does), which only this can see: it asks for the same refresh. A 403 (or ``FORBIDDEN``)
    means the grant was revoked or lacks a scope: a refresh cannot help, reconnecting can.
    """
    if not response.url.startswith(api_url(bundle) + "/"):
        return response
    if response.status_code == 403:
        raise _reconnect(_messages(response) or "403")
    code, message = _graphql_auth_error(response)
    if code == "UNAUTHENTICATED":
        raise RefreshAuthError(f"{response.url}: {message}; the access token needs a refresh")
    if code == "FORBIDDEN":
        raise _reconnect(message)
    return response


def _graphql_auth_error(response: requests.Response) -> tuple[str | None, str]:
    # Cheap test first: most answers are data, and parsing them twice would cost.
    if response.status_code != 200 or b'"errors"' not in response.content:
        return None, ""
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return None, ""
    for error in errors:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if code in ("UNAUTHENTICATED", "FORBIDDEN"):
            return code, str(error.get("message"))
    return None, ""


def _messages(response: requests.Response) -> str:
    try:
        return "; ".join(response.json().get("messages") or [])
    except (ValueError, AttributeError):
        return response.text[:200]


def _reconnect(reason: str) -> ExpiredAuthError:
    return ExpiredAuthError(
        f"the server refused the access token ({reason}); the application's access was "
        "revoked or lacks a scope: authorize the connection again"
    )


AUTHENTICATION: dict[str, Any] = {
    "type": "oauth2",
    "fields": [
        {
            "key": "apiUrl",
            "label": "API URL",
            "type": "string",
            "required": False,
            "default": default_api_url(),
            "helpText": "The server's base URL, without /rest or /graphql and without a "
            "trailing slash.",
        },
        {
            "key": "clientId",
            "label": "Client ID",
            "type": "string",
            "required": True,
            "helpText": "The client id of an OAuth application of your workspace "
            "(Settings → APIs → OAuth applications).",
        },
        {
            "key": "clientSecret",
            "label": "Client Secret",
            "type": "password",
            "required": True,
            "helpText": "The application's client secret, shown once when it was created or "
            "rotated.",
        },
    ],
    "oauth2Config": {
        "authorizeUrl": f"{_API_URL}/oauth/authorize",
        "getAccessToken": {"method": "POST", "url": f"{_API_URL}/oauth/token"},
        "refreshAccessToken": {"method": "POST", "url": f"{_API_URL}/oauth/token"},
        "autoRefresh": True,
        "scope": SCOPE,
        "clientId": "{{bundle.authData.clientId}}",
        "clientSecret": "{{bundle.authData.clientSecret}}",
    },
    "test": test_auth,
    "connectionLabel": "{{bundle.inputData.displayName}}",
}
