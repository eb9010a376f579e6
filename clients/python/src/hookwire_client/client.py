"""The synchronous client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from hookwire_client.errors import HookwireError
from hookwire_client.tokens import Refresh, Tokens, as_tokens, tokens_from_response
from hookwire_client.upload import UPLOAD_FILE, Upload, as_upload
from hookwire_client.wire import (
    DEFAULT_TIMEOUT,
    ClientCore,
    Prepared,
    refresh_failure,
    refused_token,
)


class Client(ClientCore):
    """A Hookwire (or Twenty) GraphQL client on httpx; see ``ClientCore`` for the arguments.

    A request whose token is refused (HTTP 401 or ``UNAUTHENTICATED``) is sent once more
    after one refresh; threads refused at once share that refresh (a lock, and a check that
    no other thread replaced the token they sent).
    """

    def __init__(
        self,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        *,
        token: str | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        refresh: Refresh | None = None,
        on_tokens: Callable[[Tokens], None] | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._configure(
            url, headers, token, refresh_token, client_id, client_secret, token_url, environ
        )
        self._refresh = refresh
        self._on_tokens = on_tokens
        self._lock = threading.Lock()
        self.http_client = http_client or httpx.Client(transport=transport, timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.http_client.close()

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        metadata: bool = False,
    ) -> dict[str, Any]:
        """Run any document against ``/graphql`` (or ``/metadata``); its ``data``."""
        url = self.metadata_url if metadata else self.url
        return self.get_data(self.send(self.prepare(query, operation_name, variables, url)))

    def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send ``query``; the answer, not yet read (``get_data`` reads it). What generated
        methods call."""
        return self.send(self.prepare(query, operation_name, variables, kwargs.get("url")))

    def upload_file(
        self,
        file: Upload | bytes,
        filename: str | None = None,
        content_type: str | None = None,
        *,
        folder: str | None = None,
    ) -> dict[str, Any]:
        """Upload a file with the ``uploadFile`` mutation (the GraphQL multipart request) into
        ``folder`` (a ``FileFolder``: ``Attachment`` by default); its ``{path, token, url}``,
        ``url`` being a signed download link."""
        variables = {"file": as_upload(file, filename, content_type), "fileFolder": folder}
        return dict(self.graphql(UPLOAD_FILE, variables)["uploadFile"])

    def download_file(self, url: str) -> bytes:
        """The bytes behind a signed file URL (``upload_file``'s ``url``): the link is its
        own authorization, so no token is sent with it."""
        response = self.http_client.get(url, headers=self.headers)
        if response.status_code != 200:
            self.get_data(response)  # raises the typed error the refusal calls for
        return response.content

    def send(self, prepared: Prepared) -> httpx.Response:
        """Send ``prepared`` with the current token; once more after a refresh if refused."""
        token, attempt = self._auth
        response = self.http_client.send(prepared.request(self._auth_headers(token)))
        if not refused_token(response) or not self._can_refresh(self._refresh is not None):
            return response
        response.close()
        renewed = self._renew(attempt)
        return self.http_client.send(prepared.request(self._auth_headers(renewed)))

    def _renew(self, attempt: int) -> str:
        """The token to retry with: refreshed once for every thread refused meanwhile (the
        first in refreshes; the others find the refresh done, or its failure, and share it)."""
        with self._lock:
            token = self._refreshed_since(attempt)
            if token is not None:
                return token
            try:
                tokens = self._new_tokens()
            except HookwireError as error:
                self._settle(attempt, None, error)
                raise
            except Exception as error:  # a refresh callable's own failure
                failure = refresh_failure(error)
                self._settle(attempt, None, failure)
                raise failure from error
            self._settle(attempt, tokens, None)
        if self._on_tokens is not None:
            self._on_tokens(tokens)
        return tokens.access_token

    def _new_tokens(self) -> Tokens:
        if self._refresh is not None:
            return as_tokens(self._refresh())
        return tokens_from_response(self.http_client.send(self._grant_request()))
