"""Which token a client sends, and how it gets a new one.

The token is, in this order: an ``Authorization`` header or ``token`` given to the client,
then ``HOOKWIRE_ACCESS_TOKEN``, ``TWENTY_APP_ACCESS_TOKEN``, ``HOOKWIRE_API_KEY`` and
``TWENTY_API_KEY`` (Twenty's generated client reads its two names in the same order: an
application's access token before the legacy API key).

A refused token is renewed by the OAuth2 refresh_token grant against the server's token
endpoint, or by a callable the caller supplies. The refresh token rotates: each grant answers
a new one, which replaces the old (it is then the only one that works).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from hookwire_client.errors import ErrorDetail, RefreshFailed

TOKEN_VARIABLES = (
    "HOOKWIRE_ACCESS_TOKEN",
    "TWENTY_APP_ACCESS_TOKEN",
    "HOOKWIRE_API_KEY",
    "TWENTY_API_KEY",
)
URL_VARIABLES = ("HOOKWIRE_API_URL", "TWENTY_API_URL")


@dataclass(frozen=True)
class Tokens:
    """A token endpoint's answer: ``{access_token, token_type, expires_in, refresh_token,
    scope}``; only the access token is required."""

    access_token: str
    refresh_token: str | None = None
    expires_in: int | None = None
    scope: str | None = None
    token_type: str = "Bearer"


# What a caller may supply to renew the access token: a new access token, or Tokens.
Refresh = Callable[[], "str | Tokens"]
AsyncRefresh = Callable[[], "str | Tokens | Awaitable[str | Tokens]"]


def resolve_token(
    token: str | None = None,
    headers: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str | None:
    """The token to send: ``token``, else the ``Authorization`` header's, else the first of
    ``TOKEN_VARIABLES`` set in ``environ`` (default ``os.environ``)."""
    if token:
        return token
    for name, value in (headers or {}).items():
        if name.lower() == "authorization":
            scheme, _, credentials = value.strip().partition(" ")
            found = credentials.strip() if scheme.lower() == "bearer" else value.strip()
            if found:
                return found
    env = os.environ if environ is None else environ
    for variable in TOKEN_VARIABLES:
        if env.get(variable):
            return env[variable]
    return None


def resolve_base_url(
    url: str | None, default: str = "", environ: Mapping[str, str] | None = None
) -> str:
    """The server's base URL: ``url``, else ``HOOKWIRE_API_URL`` / ``TWENTY_API_URL``, else
    ``default``. A URL naming an endpoint (``…/graphql``) gives its base."""
    env = os.environ if environ is None else environ
    chosen = url or next((env[v] for v in URL_VARIABLES if env.get(v)), "") or default
    if not chosen:
        raise ValueError(
            "No server URL: pass url= (e.g. http://localhost:3000) or set HOOKWIRE_API_URL"
        )
    chosen = chosen.rstrip("/")
    for endpoint in ("/graphql", "/metadata"):
        chosen = chosen.removesuffix(endpoint)
    return chosen


@dataclass(frozen=True)
class OAuth2Refresh:
    """The refresh_token grant (RFC 6749 §6) against ``token_url``, form-encoded."""

    token_url: str
    client_id: str
    client_secret: str | None = None

    def request(self, refresh_token: str) -> httpx.Request:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
        }
        if self.client_secret:  # a confidential client; a public one sends its id alone
            form["client_secret"] = self.client_secret
        return httpx.Request(
            "POST", self.token_url, data=form, headers={"Accept": "application/json"}
        )


def tokens_from_response(response: httpx.Response) -> Tokens:
    """The token endpoint's answer, or ``RefreshFailed`` naming the OAuth2 error it gave."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        error = body.get("error") if isinstance(body, dict) else None
        description = body.get("error_description") if isinstance(body, dict) else None
        message = f"token refresh refused (HTTP {response.status_code})"
        if error:
            message += f": {error}" + (f" ({description})" if description else "")
        raise RefreshFailed([ErrorDetail(message, "UNAUTHENTICATED")], status_code=401)
    return tokens_from_dict(body)


def tokens_from_dict(body: Mapping[str, Any]) -> Tokens:
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise RefreshFailed(
            [ErrorDetail("token endpoint answered no access_token", "UNAUTHENTICATED")],
            status_code=401,
        )
    expires = body.get("expires_in")
    refresh = body.get("refresh_token")
    scope = body.get("scope")
    return Tokens(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_in=int(expires) if isinstance(expires, int | float) else None,
        scope=scope if isinstance(scope, str) else None,
        token_type=str(body.get("token_type") or "Bearer"),
    )


def as_tokens(value: object) -> Tokens:
    """What a refresh callable returned, as ``Tokens``."""
    if isinstance(value, Tokens):
        return value
    if isinstance(value, str) and value:
        return Tokens(access_token=value)
    if isinstance(value, Mapping):
        return tokens_from_dict(value)
    raise RefreshFailed(
        [ErrorDetail(f"refresh returned no token (got {type(value).__name__})", "UNAUTHENTICATED")],
        status_code=401,
    )
