"""Helpers of the client SDK tests: a stand-in GraphQL and OAuth2 token endpoint, and a
recording httpx transport."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import httpx

CLIENT_ID = "stand-in-app"
CLIENT_SECRET = "stand-in-secret"


class StandIn:
    """A GraphQL endpoint that takes one access token at a time, and the refresh_token grant
    of an OAuth2 token endpoint that rotates both tokens, as Hookwire's does.

    ``refused_status`` is how a refused token is answered: 200 (a GraphQL ``UNAUTHENTICATED``
    error, what Hookwire's ``/graphql`` sends) or 401. Each grant sleeps ``refresh_delay`` so
    that concurrent callers pile up while it is in flight. ``expire()`` makes the current
    access token stale, as time would.
    """

    def __init__(self, refused_status: int = 200, refresh_delay: float = 0.2) -> None:
        self.refused_status = refused_status
        self.refresh_delay = refresh_delay
        self.lock = threading.Lock()
        self.access_token = "access-0"
        self.refresh_token = "refresh-0"
        self.refreshes = 0
        self.graphql_requests = 0
        self.grant_forms: list[dict[str, str]] = []

    def expire(self) -> None:
        with self.lock:
            self.access_token = f"unknown-{self.refreshes}"

    def graphql(self, authorization: str | None) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.graphql_requests += 1
            valid = authorization == f"Bearer {self.access_token}"
        if valid:
            return 200, {"data": {"echo": "ok"}}
        if self.refused_status == 401:
            return 401, {
                "statusCode": 401,
                "error": "UNAUTHENTICATED",
                "messages": ["Token invalid."],
            }
        error = {"message": "Token invalid.", "extensions": {"code": "UNAUTHENTICATED"}}
        return 200, {"errors": [error]}

    def grant(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        time.sleep(self.refresh_delay)
        with self.lock:
            self.grant_forms.append(form)
            if (
                form.get("grant_type") != "refresh_token"
                or form.get("client_id") != CLIENT_ID
                or form.get("client_secret") != CLIENT_SECRET
                or form.get("refresh_token") != self.refresh_token
            ):
                return 400, {"error": "invalid_grant"}
            self.refreshes += 1
            self.access_token = f"access-{self.refreshes}"
            self.refresh_token = f"refresh-{self.refreshes}"
            return 200, {
                "access_token": self.access_token,
                "token_type": "Bearer",
                "expires_in": 900,
                "refresh_token": self.refresh_token,
                "scope": "records:read",
            }


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # 50 clients connecting at once must not overflow the backlog
    daemon_threads = True
    stand_in: StandIn


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/graphql":
            status, answer = self.server.stand_in.graphql(self.headers.get("Authorization"))
        elif self.path == "/oauth/token":
            form = {key: values[0] for key, values in parse_qs(body.decode()).items()}
            status, answer = self.server.stand_in.grant(form)
        else:
            status, answer = 404, {"statusCode": 404, "error": "NotFound", "messages": ["?"]}
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: Any) -> None:  # quiet
        pass


@contextmanager
def running(stand_in: StandIn) -> Iterator[str]:
    """Serve ``stand_in`` on a free loopback port; its base URL."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.stand_in = stand_in
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class Recording(httpx.BaseTransport):
    """A transport that notes every request, then sends it through ``inner``."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncRecording(httpx.AsyncBaseTransport):
    """``Recording`` for ``httpx.AsyncClient``."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
