"""Google's REST APIs (Gmail, Calendar) as one connected account: JSON answers through an
OAuth session that refreshes its token, every failure a ``ServiceUnreachable`` naming Google.

A 401 is answered once with a refresh and the same request again (an access token can be
revoked before it expires); a second 401, or a refresh refused, means the account must be
connected again. No token ever appears in an error.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from sqlalchemy.engine import Engine

from hookwire.config import Config
from hookwire.connected_accounts.connections import ServiceUnreachable
from hookwire.connected_accounts.providers import (
    PROVIDER_SPECS,
    api_session,
    endpoint,
    provider_settings,
    token_refused,
)
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.connected_accounts.syncs import ChannelLease
from hookwire.errors import NotFound

GOOGLE = "google"
Params = Mapping[str, str | int | list[str]]


class GoogleApi:
    """One of Google's APIs, called as the lease's account.

    Arguments:
        engine: where a refreshed token is sealed.
        config: the provider's settings and the request timeout.
        lease: the channel being synced: its account and token.
        api: which API (``gmail``, ``calendar``): its base URL in ``PROVIDER_SPECS``.
    """

    def __init__(self, engine: Engine, config: Config, lease: ChannelLease, api: str) -> None:
        assert lease.oauth_token is not None  # a google lease has its token
        settings = config.accounts
        try:
            provider = provider_settings(settings, GOOGLE)
        except NotFound:  # switched off since the account connected: nothing is asked of it
            raise ServiceUnreachable(
                "GOOGLE", "Google accounts are not enabled on this server"
            ) from None
        self.base_url = endpoint(provider, PROVIDER_SPECS[GOOGLE].apis[api])
        self.token_url = endpoint(provider, PROVIDER_SPECS[GOOGLE].token_url)
        self.timeout = settings.timeout
        self.session = api_session(
            engine, settings, CredentialSealer.of(config), GOOGLE, lease.account_id,
            lease.oauth_token,
        )  # fmt: skip

    def get(self, path: str, params: Params | None = None, missing: Collection[int] = ()) -> Any:
        """The JSON answer to GET ``path`` (under the API's base URL); None when the status
        is one of ``missing`` (a resource gone, a sync token expired)."""
        answer = self._send(path, params)
        if answer.status_code == 401:
            self._refresh()
            answer = self._send(path, params)
            if answer.status_code == 401:
                raise token_refused(GOOGLE, _ApiError(answer))
        if answer.status_code in missing:
            return None
        if answer.status_code == 429 or answer.status_code >= 500:
            raise ServiceUnreachable(
                "GOOGLE", f"Google is not answering now ({_ApiError(answer)}); retried later"
            )
        if answer.status_code >= 400:
            raise ServiceUnreachable("GOOGLE", f"Google refused GET {path}: {_ApiError(answer)}")
        try:
            return answer.json()
        except ValueError:
            raise ServiceUnreachable("GOOGLE", f"Google answered GET {path} with no JSON") from None

    def _send(self, path: str, params: Params | None) -> requests.Response:
        try:
            return self.session.get(self.base_url + path, params=params, timeout=self.timeout)
        except AuthlibBaseError as error:  # the refresh of an expired token refused
            raise token_refused(GOOGLE, error) from None
        except requests.RequestException as error:
            raise ServiceUnreachable("GOOGLE", f"Google cannot be reached: {error}") from None

    def _refresh(self) -> None:
        try:
            self.session.refresh_token(self.token_url, timeout=self.timeout)
        except AuthlibBaseError as error:
            raise token_refused(GOOGLE, error) from None
        except requests.RequestException as error:
            raise ServiceUnreachable("GOOGLE", f"Google cannot be reached: {error}") from None


class _ApiError(Exception):
    """A Google error answer as its status and message (never the request's headers)."""

    def __init__(self, answer: requests.Response) -> None:
        message = ""
        try:
            error = answer.json().get("error")
            message = error.get("message", "") if isinstance(error, dict) else str(error or "")
        except (ValueError, AttributeError):
            pass
        super().__init__(f"HTTP {answer.status_code}" + (f": {message}" if message else ""))
