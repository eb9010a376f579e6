"""The asynchronous client: ``Client``'s behaviour on ``httpx.AsyncClient``."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from hookwire_client.errors import HookwireError
from hookwire_client.tokens import AsyncRefresh, Tokens, as_tokens, tokens_from_response
from hookwire_client.upload import UPLOAD_FILE, Upload, as_upload
from hookwire_client.wire import (
    DEFAULT_TIMEOUT,
    ClientCore,
    Prepared,
    refresh_failure,
    refused_token,
)


class AsyncClient(ClientCore):
    """``Client`` for asyncio; see ``ClientCore`` for the arguments.

    Tasks refused at once share one refresh through an ``asyncio.Lock``: the first in
    refreshes, the others find it done. ``refresh`` may be a coroutine function.
    """

    def __init__(
        self,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        *,
        token: str | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str | None = None,
        refresh: AsyncRefresh | None = None,
        on_tokens: Callable[[Tokens], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._configure(
            url, headers, token, refresh_token, client_id, client_secret, token_url, environ
        )
        self._refresh = refresh
        self._on_tokens = on_tokens
        self._lock = asyncio.Lock()
        self.http_client = http_client or httpx.AsyncClient(transport=transport, timeout=timeout)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self.http_client.aclose()

    async def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        metadata: bool = False,
    ) -> dict[str, Any]:
        """Run any document against ``/graphql`` (or ``/metadata``); its ``data``."""
        url = self.metadata_url if metadata else self.url
        prepared = self.prepare(query, operation_name, variables, url)
        return self.get_data(await self.send(prepared))

    async def execute(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Send ``query``; the answer, not yet read (``get_data`` reads it)."""
        return await self.send(self.prepare(query, operation_name, variables, kwargs.get("url")))

    async def upload_file(
        self,
        file: Upload | bytes,
        filename: str | None = None,
        content_type: str | None = None,
        *,
        folder: str | None = None,
    ) -> dict[str, Any]:
        """``Client.upload_file``, awaited."""
        variables = {"file": as_upload(file, filename, content_type), "fileFolder": folder}
        return dict((await self.graphql(UPLOAD_FILE, variables))["uploadFile"])

    async def download_file(self, url: str) -> bytes:
        """``Client.download_file``, awaited."""
        response = await self.http_client.get(url, headers=self.headers)
        if response.status_code != 200:
            self.get_data(response)
        return response.content

    async def send(self, prepared: Prepared) -> httpx.Response:
        """Send ``prepared`` with the current token; once more after a refresh if refused."""
        token, attempt = self._auth
        response = await self.http_client.send(prepared.request(self._auth_headers(token)))
        if not refused_token(response) or not self._can_refresh(self._refresh is not None):
            return response
        await response.aclose()
        renewed = await self._renew(attempt)
        return await self.http_client.send(prepared.request(self._auth_headers(renewed)))

    async def _renew(self, attempt: int) -> str:
        async with self._lock:
            token = self._refreshed_since(attempt)
            if token is not None:
                return token
            try:
                tokens = await self._new_tokens()
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

    async def _new_tokens(self) -> Tokens:
        if self._refresh is not None:
            answer = self._refresh()
            if inspect.isawaitable(answer):
                answer = await answer
            return as_tokens(answer)
        return tokens_from_response(await self.http_client.send(self._grant_request()))
