"""WSGI (PEP 3333) for the production worker: a parsed request becomes an environ, and what
the application answers is written to the connection's socket.

It does what a WSGI server owes the application and the client: ``wsgi.input`` holds the
whole body (the event loop read it), headers with ``_`` in their names are dropped (so
``X_Forwarded_For`` can't pass for ``X-Forwarded-For``), header values with CR or LF are
refused, a body without ``Content-Length`` is sent chunked (HTTP/1.1) or ends the connection
(HTTP/1.0), HEAD and 1xx/204/304 answers carry no body, and a file is sent with
``sendfile``.
"""

from __future__ import annotations

import io
import select
import socket
import sys
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from hookwire.server.parsing import ParsedRequest

HOP_BY_HOP = frozenset(
    ("connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
     "trailer", "transfer-encoding", "upgrade")
)  # fmt: skip
NO_BODY_STATUSES = frozenset((204, 304))
FORBIDDEN_IN_HEADERS = str.maketrans("", "", "\r\n\0")
HOLD_LIMIT = 64 * 1024  # bytes of an answer held until the application is done


class FileWrapper:
    """``wsgi.file_wrapper``: a file the server may send with ``sendfile``."""

    def __init__(self, filelike: Any, block_size: int = 64 * 1024) -> None:
        self.filelike = filelike
        self.block_size = block_size

    def __iter__(self) -> Any:
        return iter(lambda: self.filelike.read(self.block_size), b"")

    def close(self) -> None:
        close = getattr(self.filelike, "close", None)
        if close is not None:
            close()


def environ_for(
    request: ParsedRequest,
    client: tuple[str, int] | Any,
    server: tuple[str, int] | Any,
    multiprocess: bool,
) -> dict[str, Any]:
    """The WSGI environ of ``request``, received from ``client`` on ``server``'s address."""
    target = request.target
    path, _, query = target.partition("?")
    if not path.startswith("/") and "://" in path:  # absolute form, as proxies send
        parts = urlsplit(target)
        path, query = parts.path or "/", parts.query
    host, port = (server[0], server[1]) if isinstance(server, tuple) else (str(server), 0)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": target,
        "REQUEST_URI": target,
        "SERVER_PROTOCOL": f"HTTP/{request.version}",
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_SOFTWARE": "hookwire",
        "REMOTE_ADDR": client[0] if isinstance(client, tuple) else str(client),
        "REMOTE_PORT": str(client[1]) if isinstance(client, tuple) else "",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",  # TLS ends at a proxy; HOOKWIRE_TRUSTED_PROXIES tells
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": multiprocess,
        "wsgi.run_once": False,
        "wsgi.file_wrapper": FileWrapper,
    }
    for name, value in request.headers:
        if "_" in name:
            continue
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    if environ.pop("HTTP_TRANSFER_ENCODING", None) is not None:
        # The body was de-chunked whole: the app gets it as one of known length, as waitress
        # gives it (werkzeug cuts a body of unknown length at the app's limit without a 413).
        environ["CONTENT_LENGTH"] = str(len(request.body))
    return environ


def wait_writable(sock: socket.socket, timeout: float) -> bool:
    """Whether ``sock`` can take more data within ``timeout`` seconds."""
    poller = select.poll()
    poller.register(sock, select.POLLOUT)
    return bool(poller.poll(timeout * 1000))


class _Date:
    """The ``Date`` header's value, formatted once a second."""

    formatted = (-1, "")  # (second, value): one object, so threads never see a torn pair

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        cached, value = cls.formatted
        if second != cached:
            value = formatdate(second, usegmt=True)
            cls.formatted = (second, value)
        return value


class Response:
    """One request's answer: ``start_response`` for the app, then :meth:`send`.

    The answer is held until the application's iterable is closed (Flask's teardown: the
    database session's end), then sent in one write, as waitress does: sent before, the
    client's next request arrives while this thread still tears down, and the two threads
    contend for the GIL. An answer over ``HOLD_LIMIT`` bytes is sent as it comes.
    """

    def __init__(
        self, sock: socket.socket, request: ParsedRequest, keep_alive: bool, timeout: float
    ) -> None:
        self.sock = sock  # non-blocking, as the event loop keeps it
        self.timeout = timeout  # for the client to take each piece of the answer
        self.request = request
        self.keep_alive = keep_alive and request.keep_alive
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.head_sent = False  # on the wire: too late for another status
        self.sent = 0  # body bytes, for the access log
        self._head: bytes | None = None  # built at the first write
        self._length: int | None = None
        self._chunked = False
        self._held: list[bytes] = []
        self._held_size = 0

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.head_sent:
            raise exc_info[1].with_traceback(exc_info[2])
        if self.status and exc_info is None:
            raise AssertionError("start_response called twice without exc_info")
        if status != status.translate(FORBIDDEN_IN_HEADERS):
            raise ValueError(f"status line with a line break: {status!r}")
        for name, value in headers:
            if name.lower() in HOP_BY_HOP and name.lower() != "connection":
                raise ValueError(f"hop-by-hop header from the application: {name}")
            if value != value.translate(FORBIDDEN_IN_HEADERS) or ":" in name:
                raise ValueError(f"header {name!r}: line breaks or a colon are not allowed")
        self.status, self.headers = status, headers
        self._head, self._held, self._held_size, self.sent = None, [], 0, 0
        return self.write

    def send(self, body: Iterable[bytes]) -> None:
        """Send the head and ``body`` (the app's iterable), closing the iterable first."""
        try:
            if isinstance(body, FileWrapper) and self._sendfile(body):
                return
            for piece in body:
                self.write(piece)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        self._flush(final=True)

    def write(self, data: bytes) -> None:
        self._prepared_head()  # decides the framing below
        if not self._body_allowed():
            data = b""
        elif self._length is not None:
            data = data[: max(self._length - self.sent, 0)]
        if data:
            self._held.append(b"%x\r\n%b\r\n" % (len(data), data) if self._chunked else data)
            self._held_size += len(data)
            self.sent += len(data)
        if self._held_size >= HOLD_LIMIT:
            self._flush()

    def _flush(self, final: bool = False) -> None:
        head = self._prepared_head()  # built here when the body was empty
        parts, self._held, self._held_size = self._held, [], 0
        if not self.head_sent:
            parts.insert(0, head)
            self.head_sent = True
        if final and self._chunked:
            parts.append(b"0\r\n\r\n")
        if parts:
            self._send(b"".join(parts))

    def _send(self, data: bytes) -> None:
        """``sendall`` on the non-blocking socket, waiting for room up to ``timeout``. (A
        socket in timeout mode would do the same, but switching modes for every request
        costs system calls, each one a hand-over of the GIL with the event loop.)"""
        view = memoryview(data)
        while view:
            try:
                view = view[self.sock.send(view) :]
            except BlockingIOError:
                if not wait_writable(self.sock, self.timeout):
                    raise TimeoutError(f"the client took no data for {self.timeout:g} s") from None

    def _status_code(self) -> int:
        return int(self.status.split(None, 1)[0])

    def _body_allowed(self) -> bool:
        code = self._status_code()
        return self.request.method != "HEAD" and code >= 200 and code not in NO_BODY_STATUSES

    def _prepared_head(self) -> bytes:
        """The head, built once (with the framing and keep-alive it decides)."""
        if self._head is None:
            self._head = self._build_head()
        return self._head

    def _build_head(self) -> bytes:
        """The status line and headers; decides the framing and the connection's fate."""
        if not self.status:
            raise AssertionError("the application wrote before calling start_response")
        lines = [f"HTTP/1.1 {self.status}"]
        connection = ""
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == "connection":
                connection = value.lower()
                continue
            if lowered == "content-length":
                self._length = int(value)
            lines.append(f"{name}: {value}")
        if "close" in connection:
            self.keep_alive = False
        if self._length is None and self._body_allowed():
            if self.request.version == "1.1":
                self._chunked = True
                lines.append("Transfer-Encoding: chunked")
            else:
                self.keep_alive = False  # the body ends when the connection does
        lines.append(f"Date: {_Date.now()}")
        if not self.keep_alive:
            lines.append("Connection: close")
        elif self.request.version == "1.0":
            lines.append("Connection: keep-alive")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _sendfile(self, body: FileWrapper) -> bool:
        """Send a file with ``sendfile``; False if it is not a file of known length."""
        self._prepared_head()  # decides the framing below
        fileno = getattr(body.filelike, "fileno", None)
        if fileno is None or self._length is None or self._chunked or not self._body_allowed():
            return False
        try:
            fileno()
        except (OSError, io.UnsupportedOperation):
            return False
        self._flush()
        offset = body.filelike.tell() if hasattr(body.filelike, "tell") else 0
        self.sock.settimeout(self.timeout)  # sendfile wants a blocking or timeout socket
        try:
            self.sent = self.sock.sendfile(body.filelike, offset, self._length)
        finally:
            self.sock.setblocking(False)
        if self.sent < self._length:  # the file was shorter than it said: the answer is cut
            self.keep_alive = False
        return True
