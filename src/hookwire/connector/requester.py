"""The request helper handed to every callable as ``z``: auth, middleware, typed errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from hookwire.connector.bundle import Bundle
from hookwire.connector.credentials import auth_headers
from hookwire.connector.errors import (
    RefreshAuthError,
    RequestFailedError,
    ResponseError,
    ThrottledError,
)

DEFAULT_TIMEOUT = 30.0
_PREVIEW = 300


@dataclass
class Request:
    """One outgoing request; ``body`` that is a dict or list travels as JSON."""

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    raise_for_status: bool = True
    timeout: float | None = None

    @classmethod
    def from_template(cls, rendered: Mapping[str, Any]) -> Request:
        """A request from a rendered declarative template."""
        return cls(
            url=rendered["url"],
            method=rendered.get("method", "GET"),
            headers={k: str(v) for k, v in (rendered.get("headers") or {}).items()},
            params={k: v for k, v in (rendered.get("params") or {}).items() if v is not None},
            body=rendered.get("body"),
            raise_for_status=rendered.get("raiseForStatus", True),
            timeout=rendered.get("timeout"),
        )


BeforeRequest = Callable[[Request, "Requester", Bundle], Request]
AfterResponse = Callable[[requests.Response, "Requester", Bundle], requests.Response]


@dataclass(frozen=True)
class RequestPolicy:
    """What a connector's definition says about every request it sends."""

    auth_type: str | None = None
    before: Sequence[BeforeRequest] = ()
    after: Sequence[AfterResponse] = ()
    auto_refresh: bool = False
    timeout: float = DEFAULT_TIMEOUT


class Requester:
    """Sends the requests of one run: auth, before/after middleware, typed errors."""

    def __init__(self, session: requests.Session, bundle: Bundle, policy: RequestPolicy) -> None:
        self.session = session
        self.bundle = bundle
        self.policy = policy

    def request(
        self,
        url: str,
        *,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        raise_for_status: bool = True,
        timeout: float | None = None,
    ) -> requests.Response:
        """Send one request; strings are sent as given, never treated as templates."""
        return self.send(
            Request(
                url=url,
                method=method.upper(),
                headers=dict(headers or {}),
                params=dict(params or {}),
                body=body,
                raise_for_status=raise_for_status,
                timeout=timeout,
            )
        )

    def send(self, request: Request) -> requests.Response:
        request = self._authorized(request)
        for middleware in self.policy.before:
            request = middleware(request, self, self.bundle)
        response = self._transmit(request)
        for middleware in self.policy.after:
            response = middleware(response, self, self.bundle)
        if request.raise_for_status:
            self._raise_for_status(request, response)
        return response

    def _authorized(self, request: Request) -> Request:
        if any(name.lower() == "authorization" for name in request.headers):
            return request
        extra = auth_headers(self.policy.auth_type, self.bundle.auth_data)
        return replace(request, headers={**request.headers, **extra}) if extra else request

    def _transmit(self, request: Request) -> requests.Response:
        json_body = request.body if isinstance(request.body, dict | list) else None
        data = request.body if isinstance(request.body, str | bytes) else None
        timeout = request.timeout or self.policy.timeout
        try:
            return self.session.request(
                request.method,
                request.url,
                headers=request.headers,
                params=request.params,
                json=json_body,
                data=data,
                timeout=timeout,
            )
        except requests.Timeout:
            raise RequestFailedError(
                f"{request.method} {request.url}: no answer within {timeout:g} s"
            ) from None
        except (requests.exceptions.MissingSchema, requests.exceptions.InvalidURL) as error:
            raise RequestFailedError(
                f"{request.method} {request.url!r}: not a valid http(s) URL ({error}); check "
                "the URL (e.g. the apiUrl of the connection)"
            ) from None
        except requests.ConnectionError as error:
            raise RequestFailedError(
                f"{request.method} {request.url}: cannot connect ({_reason(error)}); check "
                "that the server is running and the URL is right"
            ) from None

    def _raise_for_status(self, request: Request, response: requests.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = f"{request.method} {request.url} answered {status}"
        if status == 401 and self.policy.auto_refresh:
            raise RefreshAuthError(f"{where}; the access token needs a refresh")
        if status == 429:
            delay = retry_after(response.headers.get("Retry-After"))
            raise ThrottledError(f"{where}: too many requests; try again later", delay)
        raise ResponseError(f"{where}: {response.text[:_PREVIEW]}", status)


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isascii() and value.strip().isdigit():  # isdigit() alone takes '²'
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def _reason(error: requests.ConnectionError) -> str:
    text = str(error.args[0] if error.args else error)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker in text:
            return marker.lower()
    return text[:200]
