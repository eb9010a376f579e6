"""``hookwire serve``: waitress in one process, with the production server's limits.

waitress reads every request whole in its event loop before a thread sees it, so idle or
half-sent requests hold no thread; what let 101 of them stall the server was its default
connection limit (100), after which it stopped accepting, and its two-minute idle timeout.
Here, as in the production server:

* up to ``max_connections`` connections (polled, so past select()'s 1,024 descriptors);
* a head must be whole within ``header_timeout`` of the connection (or of the first byte after
  a kept-alive pause), a body within ``body_timeout`` of its head; idle kept-alive connections
  close after ``keepalive_timeout``;
* a client address holds at most ``max_connections_per_client`` connections: one more closes
  its oldest connection that is not being served, or is refused if all of them are;
* a head over 64 KiB is a 431 and a body over ``HOOKWIRE_MAX_BODY_BYTES`` a 413 before it is
  read, both in the API's JSON error shape;
* a request framed both by ``Content-Length`` and ``Transfer-Encoding`` is a 400.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from hookwire.config import Config
from hookwire.server.responses import (
    HEAD_TOO_LARGE,
    MAX_HEAD_BYTES,
    TOO_LARGE,
    body_too_large_message,
    error_body,
    head_too_large_message,
)

DEFAULT_THREADS = 8


class JsonErrorTask(ErrorTask):
    """waitress's own refusals (413, 431, 400) as ``{"statusCode", "error", "messages"}``."""

    def execute(self) -> None:
        error = self.request.error
        adj = self.channel.server.adj
        if error.code == TOO_LARGE:
            declared = getattr(self.request, "content_length", 0) or None
            message = body_too_large_message(adj.max_request_body_size, declared)
        elif error.code == HEAD_TOO_LARGE:
            message = head_too_large_message(adj.max_request_header_size)
        else:
            message = str(error.body)
        body = error_body(error.code, message)
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class StrictParser(HTTPRequestParser):
    """waitress serves a request with both ``Content-Length`` and ``Transfer-Encoding`` by
    the latter and keeps the connection; RFC 9112 (6.3) lets a server refuse it and requires
    the connection to close. It is request smuggling's raw material: refused (400, closing),
    as the production server's parser does."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.chunked and "CONTENT_LENGTH" in self.headers:
            raise ParsingError("Content-Length and Transfer-Encoding together: send one of them")


class GuardedChannel(HTTPChannel):
    """A connection that knows when its current request began and when its head ended."""

    error_task_class = JsonErrorTask
    parser_class = StrictParser

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_started: float | None = self.creation_time  # the head's clock
        self.head_done_at: float | None = None  # the body's clock

    def received(self, data: bytes) -> bool:
        if self.request is None and self.request_started is None:
            self.request_started = time.time()
        result = super().received(data)
        if self.request is None:  # nothing half-received
            self.request_started = self.head_done_at = None
        elif self.head_done_at is None and self.request.headers_finished:
            self.head_done_at = time.time()
        return result

    def late(self, now: float, header_timeout: float, body_timeout: float) -> bool:
        if self.requests:  # being served
            return False
        if self.head_done_at is not None:
            return now - self.head_done_at > body_timeout
        return self.request_started is not None and now - self.request_started > header_timeout

    def idle(self) -> bool:
        """Not being served and not sending a response: closing it loses no work."""
        return not self.requests and not self.total_outbufs_len and not self.will_close


class GuardedServer(TcpWSGIServer):
    channel_class = GuardedChannel
    header_timeout = 10.0
    body_timeout = 60.0
    max_per_client = 100
    exempt: Callable[[str], bool] | None = None

    def maintenance(self, now: float) -> None:
        """Every second (``cleanup_interval``): idle kept-alive connections (waitress's own
        rule, ``channel_timeout``), then heads and bodies past their deadlines."""
        super().maintenance(now)
        for channel in list(self.active_channels.values()):
            if channel.late(now, self.header_timeout, self.body_timeout):
                channel.will_close = True

    def handle_accept(self) -> None:
        try:
            accepted = self.accept()
        except OSError:
            return
        if accepted is None:
            return
        conn, address = accepted
        if not self._admit(address[0] if isinstance(address, tuple) else str(address)):
            conn.close()
            return
        self.set_socket_options(conn)
        self.channel_class(self, conn, self.fix_addr(address), self.adj, map=self._map)

    def _admit(self, client: str) -> bool:
        if not self.max_per_client or (self.exempt is not None and self.exempt(client)):
            return True
        held = [
            channel
            for channel in self.active_channels.values()
            if channel.addr and channel.addr[0] == client and not channel.will_close
        ]
        if len(held) < self.max_per_client:
            return True
        idle = min((c for c in held if c.idle()), key=lambda c: c.creation_time, default=None)
        if idle is None:
            return False
        idle.will_close = True
        return True


def serve_embedded(
    app: Any, listener: socket.socket, config: Config, threads: int, announce: Callable[[], None]
) -> None:
    """Serve ``app`` on ``listener`` until interrupted."""
    settings = config.server
    adj = Adjustments(
        threads=threads or settings.threads or DEFAULT_THREADS,
        ident="hookwire",
        connection_limit=settings.max_connections,
        channel_timeout=settings.keepalive_timeout,
        cleanup_interval=1,
        max_request_header_size=MAX_HEAD_BYTES,
        max_request_body_size=config.request_body_ceiling,
        asyncore_use_poll=True,  # select() stops at descriptor 1,024
        clear_untrusted_proxy_headers=False,  # the app's trusted-proxy setting decides
    )
    sockinfo = (listener.family, listener.type, listener.proto, listener.getsockname())
    server = GuardedServer(app, {}, _sock=listener, adj=adj, bind_socket=False, sockinfo=sockinfo)
    server.header_timeout = settings.header_timeout
    server.body_timeout = settings.body_timeout
    proxies = config.trusted_proxies
    # Behind proxies counted, not named, every peer is a proxy: no per-address cap.
    server.max_per_client = 0 if proxies.count else settings.max_connections_per_client
    server.exempt = proxies.trusts if proxies.networks else None
    announce()
    server.run()
