"""OAuth2 for ``authentication.type == "oauth2"``: authorize URL, code exchange, token refresh.

Declarative entries (a request template's ``url``) go through Authlib's ``OAuth2Session``;
a callable entry is called like any perform and returns the new auth fields itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session

from hookwire.connector.bundle import Bundle
from hookwire.connector.errors import ExpiredAuthError, RequestFailedError
from hookwire.connector.templates import render

TOKEN_KEYS = ("access_token", "refresh_token", "expires_at", "token_type", "scope")


def oauth_session(config: Mapping[str, Any], bundle: Bundle, timeout: float) -> OAuth2Session:
    namespace = bundle.to_dict()
    return OAuth2Session(
        client_id=render(config.get("clientId"), namespace),
        client_secret=render(config.get("clientSecret"), namespace),
        scope=config.get("scope"),
        redirect_uri=bundle.input_data.get("redirect_uri"),
        default_timeout=timeout,
    )


def authorize_url(config: Mapping[str, Any], bundle: Bundle, timeout: float) -> str:
    """Where to send the user: the rendered ``authorizeUrl`` with client id, state, scope."""
    template = config["authorizeUrl"]
    url = render(template if isinstance(template, str) else template["url"], bundle.to_dict())
    with oauth_session(config, bundle, timeout) as client:
        address, _state = client.create_authorization_url(url, state=bundle.input_data.get("state"))
    return address


def fetch_access_token(
    template: Mapping[str, Any], config: Mapping[str, Any], bundle: Bundle, timeout: float
) -> dict[str, Any]:
    """Exchange ``inputData.code`` for tokens at the rendered ``getAccessToken.url``."""
    url = render(template["url"], bundle.to_dict())
    with oauth_session(config, bundle, timeout) as client:
        try:
            token = client.fetch_token(
                url, code=bundle.input_data.get("code"), grant_type="authorization_code"
            )
        except AuthlibBaseError as error:
            raise RequestFailedError(f"getAccessToken: {url} refused the code ({error})") from None
    return _token_fields(token)


def refresh_access_token(
    template: Mapping[str, Any], config: Mapping[str, Any], bundle: Bundle, timeout: float
) -> dict[str, Any]:
    """New tokens for ``authData.refresh_token``; ExpiredAuthError when the server refuses."""
    refresh_token = bundle.auth_data.get("refresh_token")
    if not refresh_token:
        raise ExpiredAuthError("no refresh_token in authData; connect the account again")
    url = render(template["url"], bundle.to_dict())
    with oauth_session(config, bundle, timeout) as client:
        try:
            token = client.refresh_token(url, refresh_token=refresh_token)
        except AuthlibBaseError as error:
            raise ExpiredAuthError(
                f"the token refresh at {url} failed ({error}); connect the account again"
            ) from None
    fields = _token_fields(token)
    fields.setdefault("refresh_token", refresh_token)
    return fields


def _token_fields(token: Mapping[str, Any]) -> dict[str, Any]:
    return {key: token[key] for key in TOKEN_KEYS if token.get(key) is not None}
