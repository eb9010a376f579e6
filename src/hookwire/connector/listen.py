"""The local hook harness: a catch URL on loopback, subscribed for as long as it runs.

Each delivery runs the trigger's ``perform`` with the request as the platform would pass it,
and every item it returns is printed as one JSON line. Stopping unsubscribes.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hookwire.connector.bundle import Bundle
from hookwire.connector.errors import ConnectorError
from hookwire.connector.runtime import Connector

Emit = Callable[[str], None]


class HookListener:
    """Subscribes ``trigger`` to a loopback catch URL and runs ``perform`` for each hook."""

    def __init__(
        self,
        connector: Connector,
        trigger: str,
        bundle: Bundle,
        *,
        out: Emit,
        err: Emit,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.connector = connector
        self.trigger = trigger
        self.bundle = bundle
        self.out, self.err = out, err
        self.path = f"/hooks/{secrets.token_urlsafe(12)}"
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self.subscribe_data: dict[str, Any] | None = None

    @property
    def target_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def start(self) -> None:
        """Listen, then subscribe (so the first delivery finds someone home)."""
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        subscribing = replace(self.bundle, target_url=self.target_url)
        operation = f"triggers.{self.trigger}.operation.performSubscribe"
        self.subscribe_data = self.connector.run(operation, subscribing)
        self.err(
            f"Subscribed {json.dumps(self.subscribe_data.get('id'))}; catch URL {self.target_url}"
        )
        self.err("Waiting for hooks; Ctrl-C to unsubscribe and stop.")

    def stop(self) -> None:
        """Unsubscribe, then stop listening."""
        try:
            if self.subscribe_data is not None:
                unsubscribing = replace(
                    self.bundle, target_url=self.target_url, subscribe_data=self.subscribe_data
                )
                operation = f"triggers.{self.trigger}.operation.performUnsubscribe"
                self.connector.run(operation, unsubscribing)
                self.err("Unsubscribed.")
        finally:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, raw_request: dict[str, Any]) -> int:
        """Run ``perform`` for one delivery; the HTTP status to answer with."""
        try:
            cleaned = json.loads(raw_request["content"] or "null")
        except json.JSONDecodeError:
            cleaned = None
        bundle = replace(
            self.bundle,
            target_url=self.target_url,
            subscribe_data=self.subscribe_data,
            cleaned_request=cleaned,
            raw_request=raw_request,
        )
        try:
            items = self.connector.run(f"triggers.{self.trigger}.operation.perform", bundle)
        except ConnectorError as error:
            with self._lock:
                self.err(f"Rejected a hook: {error.type}: {error}")
            return 400
        with self._lock:
            for item in items:
                self.out(json.dumps(item, sort_keys=True))
        return 200


def _handler(listener: HookListener) -> type[BaseHTTPRequestHandler]:
    class CatchHandler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            if path != listener.path:
                self._answer(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            raw_request = {
                "method": "POST",
                "headers": dict(self.headers.items()),
                "content": self.rfile.read(length).decode("utf-8", "replace"),
                "querystring": query,
            }
            self._answer(listener.handle(raw_request))

        def _answer(self, status: int) -> None:
            body = json.dumps({"status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the harness prints what matters itself."""

    return CatchHandler
