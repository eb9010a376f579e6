"""What the sync and async clients share: settings, request building, answer reading.

Neither sends anything here; ``Client`` and ``AsyncClient`` do, each with its own lock
around the one refresh that concurrent callers share.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from hookwire_client.errors import (
    STATUS_CODES,
    ErrorDetail,
    GraphQLError,
    HookwireError,
    HttpError,
    RefreshFailed,
    error_details,
    graphql_error,
)
from hookwire_client.tokens import OAuth2Refresh, Tokens, resolve_base_url, resolve_token
from hookwire_client.upload import FilePart, Upload, multipart_request, split_files

DEFAULT_TIMEOUT = 30.0
UNAUTHENTICATED = "UNAUTHENTICATED"


@dataclass(frozen=True)
class Prepared:
    """One GraphQL request, serialized once, sent again as is (with a new token) on retry."""

    url: str
    body: bytes | None  # the JSON body, or None for a multipart request
    operation: dict[str, Any]
    parts: dict[str, FilePart]
    places: dict[str, list[str]]

    def request(self, headers: dict[str, str]) -> httpx.Request:
        if self.body is not None:
            headers = {**headers, "Content-Type": "application/json"}
            return httpx.Request("POST", self.url, content=self.body, headers=headers)
        return multipart_request(self.url, self.operation, self.parts, self.places, headers)


class ClientCore:
    """Settings and pure logic of a client; subclasses send.

    Arguments (all optional):

    - ``url``: the server's base URL (``http://localhost:3000``); default ``HOOKWIRE_API_URL``,
      ``TWENTY_API_URL``, then the URL a generated client was made from.
    - ``headers``: sent with every request; an ``Authorization`` header among them is the token.
    - ``token``: the access token or API key (see ``hookwire_client.tokens`` for the order).
    - ``refresh_token``, ``client_id``, ``client_secret``, ``token_url``: renew a refused access
      token with the OAuth2 refresh_token grant (``token_url`` defaults to ``{url}/oauth/token``).
    - ``refresh``: renew it with this callable instead (it returns a token or ``Tokens``).
    - ``on_tokens``: told every new ``Tokens`` (keep the rotated refresh token).
    - ``transport``: the httpx transport every request goes through (tests, proxies, retries).
    - ``timeout``: seconds, or an ``httpx.Timeout``.
    """

    default_url: ClassVar[str] = ""
    # Values meaning "leave this variable out", and file types, besides the client's own; a
    # generated package adds its ``UNSET`` and ``Upload`` types.
    unset_types: ClassVar[tuple[type, ...]] = ()
    upload_types: ClassVar[tuple[type, ...]] = (Upload,)

    def _configure(
        self,
        url: str | None,
        headers: Mapping[str, str] | None,
        token: str | None,
        refresh_token: str | None,
        client_id: str | None,
        client_secret: str | None,
        token_url: str | None,
        environ: Mapping[str, str] | None,
    ) -> None:
        if refresh_token and not client_id:
            raise ValueError(
                "refresh_token needs the client_id of the application it was issued to"
            )
        self.base_url = resolve_base_url(url, self.default_url, environ)
        self.url = f"{self.base_url}/graphql"
        self.metadata_url = f"{self.base_url}/metadata"
        self.headers = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
        # The token and how many refreshes were attempted, replaced together (one attribute,
        # so a request reads both at once) when a refresh ends; and why the last one failed.
        self._auth: tuple[str | None, int] = (resolve_token(token, headers, environ), 0)
        self._failure: HookwireError | None = None
        self._refresh_token = refresh_token
        self._grant = (
            OAuth2Refresh(token_url or f"{self.base_url}/oauth/token", client_id, client_secret)
            if client_id
            else None
        )

    @property
    def access_token(self) -> str | None:
        return self._auth[0]

    @property
    def refresh_token(self) -> str | None:
        """The current refresh token (it rotates on every refresh)."""
        return self._refresh_token

    def _auth_headers(self, token: str | None) -> dict[str, str]:
        if token is None:
            return self.headers
        return {**self.headers, "Authorization": f"Bearer {token}"}

    def _can_refresh(self, has_callable: bool) -> bool:
        return has_callable or (self._grant is not None and bool(self._refresh_token))

    def _refreshed_since(self, attempt: int) -> str | None:
        """Under the refresh lock: the token to retry with if a refresh was attempted since
        ``attempt`` (its failure, raised, if it failed); ``None``: the caller refreshes."""
        token, attempts = self._auth
        if attempts == attempt:
            return None
        failure = self._failure
        if failure is not None:  # a new exception each: threads must not share a traceback
            errors = failure.errors if isinstance(failure, GraphQLError) else []
            raise RefreshFailed(
                errors or [ErrorDetail(str(failure), UNAUTHENTICATED)], status_code=401
            ) from failure
        return token

    def _settle(self, attempt: int, tokens: Tokens | None, failure: HookwireError | None) -> None:
        """Under the refresh lock: the end of refresh number ``attempt + 1``."""
        token = tokens.access_token if tokens else self._auth[0]
        if tokens and tokens.refresh_token:
            self._refresh_token = tokens.refresh_token
        self._failure = failure
        self._auth = (token, attempt + 1)

    def _grant_request(self) -> httpx.Request:
        assert self._grant is not None and self._refresh_token
        return self._grant.request(self._refresh_token)

    def prepare(
        self,
        query: str,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
        url: str | None = None,
    ) -> Prepared:
        """The request for ``query``: JSON, or multipart when the variables hold files."""
        plain = self._plain(dict(variables or {}))
        plain, parts, places = split_files(plain, self.upload_types) if plain else ({}, {}, {})
        operation: dict[str, Any] = {"query": query, "variables": plain}
        if operation_name:
            operation["operationName"] = operation_name
        operation = to_jsonable_python(operation)
        body = None if parts else json.dumps(operation, separators=(",", ":")).encode()
        return Prepared(url or self.url, body, operation, parts, places)

    def _plain(self, value: Any) -> Any:
        """Models as the server names their fields, ``UNSET`` variables left out."""
        if isinstance(value, BaseModel):
            return value.model_dump(by_alias=True, exclude_unset=True)
        if isinstance(value, dict):
            return {
                key: self._plain(item)
                for key, item in value.items()
                if not isinstance(item, self.unset_types)
            }
        if isinstance(value, list | tuple):
            return [self._plain(item) for item in value]
        return value

    def get_data(self, response: httpx.Response) -> dict[str, Any]:
        """The answer's ``data``, or the typed exception its errors call for."""
        try:
            body: Any = response.json()
        except ValueError:
            body = None
        status = response.status_code
        if isinstance(body, dict) and ("data" in body or "errors" in body):
            if body.get("errors"):
                data = body.get("data")
                raise graphql_error(
                    error_details(body["errors"]),
                    status_code=status,
                    data=data if isinstance(data, dict) else None,
                )
            if 200 <= status < 300:
                return body.get("data") or {}
        if status < 400:
            raise HttpError(status, response.text)
        if isinstance(body, dict) and "statusCode" in body:  # a REST-style refusal
            code = STATUS_CODES.get(status) or str(body.get("error") or "")
            messages = body.get("messages") or [body.get("error") or f"HTTP {status}"]
            details = [ErrorDetail(str(message), code or None) for message in messages]
            raise graphql_error(details, status_code=status)
        if status in STATUS_CODES:
            detail = ErrorDetail(response.text[:200] or f"HTTP {status}", STATUS_CODES[status])
            raise graphql_error([detail], status_code=status)
        raise HttpError(status, response.text)


def refused_token(response: httpx.Response) -> bool:
    """Whether the server refused the token: HTTP 401, or a GraphQL ``UNAUTHENTICATED``
    (GraphQL answers auth failures with HTTP 200)."""
    if response.status_code == 401:
        return True
    if UNAUTHENTICATED.encode() not in response.content:  # cheap: most answers are fine
        return False
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any(error.code == UNAUTHENTICATED for error in error_details(errors))


def refresh_failure(error: Exception) -> RefreshFailed:
    """A refresh callable's own exception, as the ``RefreshFailed`` callers see."""
    failure = RefreshFailed(
        [ErrorDetail(f"token refresh failed: {error}", UNAUTHENTICATED)], status_code=401
    )
    failure.__cause__ = error
    return failure
