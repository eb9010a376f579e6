"""A webhook receiver on loopback: records every POST and answers from a script."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """How the receiver answers one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0  # seconds to wait before answering


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when the request arrived
    status: int  # what the receiver answered (or is about to); 0: the body never fully arrived

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["webhook-id"]


class Receiver:
    """``url`` accepts POSTs on any path; ``script(path, *replies)`` queues answers for a path.

    A path with no queued reply gets ``default`` (200). Requests are recorded on arrival,
    before any scripted delay, so a test can act while a delivery is in flight.
    ``hold(path, seconds)`` keeps every request on a path waiting until that time is up.
    """

    def __init__(self) -> None:
        self.default = Reply()
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._held_until: dict[str, float] = {}
        self._received: list[Received] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, path: str, *replies: Reply) -> None:
        with self._changed:
            self._scripts[path].extend(replies)

    def received(self, path: str | None = None) -> list[Received]:
        with self._changed:
            return [r for r in self._received if path is None or r.path == path]

    def wait_for(
        self, count: int, path: str | None = None, timeout: float = 30.0
    ) -> list[Received]:
        """At least ``count`` requests (on ``path``); fails with what did arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                got = [r for r in self._received if path is None or r.path == path]
                remaining = deadline - time.monotonic()
                if len(got) >= count or remaining <= 0:
                    break
                self._changed.wait(remaining)
        assert len(got) >= count, f"expected {count} requests on {path or 'any path'}, got {got}"
        return got

    def wait_for_events(
        self, event_ids: set[str], path: str | None = None, timeout: float = 60.0
    ) -> list[Received]:
        """Block until every event id has arrived (on ``path``)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                got = [r for r in self._received if path is None or r.path == path]
                missing = event_ids - {r.event_id for r in got}
                remaining = deadline - time.monotonic()
                if not missing or remaining <= 0:
                    break
                self._changed.wait(min(remaining, 1.0))
        assert not missing, f"{len(missing)} of {len(event_ids)} events never arrived"
        return got

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def hold(self, path: str, seconds: float) -> None:
        """Answer nothing on ``path`` for ``seconds`` from now (a target gone silent)."""
        with self._changed:
            self._held_until[path] = time.monotonic() + seconds

    def _wait_while_held(self, path: str) -> None:
        with self._changed:
            until = self._held_until.get(path, 0.0)
        if (left := until - time.monotonic()) > 0:
            time.sleep(left)

    def _next_reply(self, path: str) -> Reply:
        with self._changed:
            queue = self._scripts.get(path)
            return queue.popleft() if queue else self.default

    def _record(self, received: Received) -> None:
        with self._changed:
            self._received.append(received)
            self._changed.notify_all()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
            disable_nagle_algorithm = True  # headers and body go out as two writes

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                if len(body) < length:  # the sender died mid-request: seen, never answered
                    receiver._record(Received(self.path, headers, body, time.monotonic(), 0))
                    self.close_connection = True
                    return
                reply = receiver._next_reply(self.path)
                arrived = Received(self.path, headers, body, time.monotonic(), reply.status)
                receiver._record(arrived)
                receiver._wait_while_held(self.path)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except OSError:
                    pass  # the sender gave up (timeout, or its process was killed)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
