"""Microsoft Graph as one connected account: every URL under the provider's base URL (the
links Graph hands out included), the token refreshed (and sealed again) when it expires or
is refused once, delta queries page by page, and every failure a ``ServiceUnreachable`` that
names Microsoft and never the token."""

from __future__ import annotations

from collections.abc import Iterator
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
    token_refused,
)
from hookwire.connected_accounts.sealing import CredentialSealer
from hookwire.connected_accounts.syncs import ChannelLease

MICROSOFT = "microsoft"
SERVICE = "MICROSOFT"


class GraphGone(ServiceUnreachable):
    """A delta link Graph no longer knows (410, ``syncStateNotFound``): list again (and
    if a new listing is gone too, the sync fails and is retried later)."""

    def __init__(self, detail: str) -> None:
        super().__init__(SERVICE, f"Microsoft Graph no longer knows the sync state ({detail})")


class GraphClient:
    """Microsoft Graph as one channel's account: every URL under the provider's base URL,
    the token refreshed (and sealed again) when it expires or is refused once, and every
    failure a ServiceUnreachable that names Microsoft and never the token.

    Arguments:
        engine: the database, where a refreshed token is sealed.
        config: the provider's settings and the timeout.
        lease: the channel being synced: its account and token.
    """

    def __init__(self, engine: Engine, config: Config, lease: ChannelLease) -> None:
        settings = config.accounts
        provider = settings.providers.get(MICROSOFT)
        if provider is None or not provider.enabled:
            raise ServiceUnreachable(
                SERVICE,
                "Microsoft accounts are switched off on this server "
                "(MESSAGING_PROVIDER_MICROSOFT_ENABLED, CALENDAR_PROVIDER_MICROSOFT_ENABLED, "
                "AUTH_MICROSOFT_CLIENT_ID/SECRET)",
            )
        assert lease.oauth_token is not None  # a microsoft lease has its token
        spec = PROVIDER_SPECS[MICROSOFT]
        self.provider = provider
        self.base = endpoint(provider, spec.apis["graph"])
        self.token_url = endpoint(provider, spec.token_url)
        self.timeout = settings.timeout
        self.http = api_session(
            engine, settings, CredentialSealer.of(config), MICROSOFT, lease.account_id,
            lease.oauth_token,
        )  # fmt: skip

    def url(self, path_or_link: str) -> str:
        """A path under Graph's base, or a link Graph gave (rebased like every endpoint)."""
        if path_or_link.startswith(("http://", "https://")):
            return endpoint(self.provider, path_or_link)
        return self.base + path_or_link

    def get(
        self,
        path_or_link: str,
        params: dict[str, str] | None = None,
        *,
        absent_ok: bool = False,
        **headers: str,
    ) -> requests.Response:
        """The answer to a GET: 2xx (or 404 when ``absent_ok``); GraphGone on a 410;
        ServiceUnreachable else."""
        url = self.url(path_or_link)
        answer = self._send(url, params, headers)
        if answer.status_code == 401:
            # An access token revoked before it expired: refresh once, then give up.
            self._refresh()
            answer = self._send(url, params, headers)
            if answer.status_code == 401:
                raise token_refused(MICROSOFT, RuntimeError(_graph_error(answer)))
        if answer.status_code == 410:
            raise GraphGone(_graph_error(answer))
        if answer.status_code == 429 or answer.status_code >= 500:
            wait = answer.headers.get("Retry-After")
            raise ServiceUnreachable(
                SERVICE,
                f"Microsoft Graph answered {answer.status_code} ({_graph_error(answer)})"
                + (f"; retry after {wait}s" if wait else ""),
            )
        if answer.status_code >= 400 and not (absent_ok and answer.status_code == 404):
            raise ServiceUnreachable(
                SERVICE, f"Microsoft Graph refused a request: {_graph_error(answer)}"
            )
        return answer

    def pages(
        self, path_or_link: str, params: dict[str, str] | None = None, **headers: str
    ) -> Iterator[tuple[list[dict[str, Any]], str]]:
        """Each page of a delta query: its items, and the link after it (the next page's,
        or the final delta link)."""
        link: str | None = path_or_link
        while link is not None:
            answer = self.get(link, params, **headers)
            params = None  # a next or delta link carries its own query
            try:
                body = answer.json()
                items = list(body.get("value", []))
            except (ValueError, AttributeError, TypeError):
                raise ServiceUnreachable(SERVICE, "Graph answered no delta page") from None
            link = body.get("@odata.nextLink")
            after = link or body.get("@odata.deltaLink")
            if not after:
                raise ServiceUnreachable(SERVICE, "Graph's delta page has no next or delta link")
            yield items, after

    def close(self) -> None:
        self.http.close()

    def _send(
        self, url: str, params: dict[str, str] | None, headers: dict[str, str]
    ) -> requests.Response:
        try:
            return self.http.get(url, params=params, headers=headers, timeout=self.timeout)
        except AuthlibBaseError as error:  # the refresh before the request was refused
            raise token_refused(MICROSOFT, error) from None
        except requests.RequestException as error:
            raise _unreachable(error) from None

    def _refresh(self) -> None:
        try:
            self.http.refresh_token(self.token_url, timeout=self.timeout)
        except AuthlibBaseError as error:
            raise token_refused(MICROSOFT, error) from None
        except requests.RequestException as error:
            raise _unreachable(error) from None


def _graph_error(answer: requests.Response) -> str:
    """Graph's error code and message (never a request's headers, so never the token)."""
    try:
        error = answer.json().get("error", {})
    except ValueError:
        error = None
    if isinstance(error, dict) and error.get("code"):
        return f"{error['code']}: {error.get('message', '')}".strip().rstrip(":")
    return f"HTTP {answer.status_code}"


def _unreachable(error: requests.RequestException) -> ServiceUnreachable:
    # The exception's text may hold the URL and its delta token: name its kind only.
    return ServiceUnreachable(SERVICE, f"Microsoft Graph did not answer ({type(error).__name__})")
