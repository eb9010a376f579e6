"""The production server's worker: gunicorn's ``gthread`` worker, with whole requests read in
its event loop before a thread sees them, and served by the worker itself.

Stock ``gthread`` hands a new connection to a thread, which then blocks reading the request:
300 connections that send half a header and nothing more hold every thread of every worker
(measured: ``/healthz`` times out). Here the event loop reads without blocking until a whole
request (head and body) is buffered (``framing.py``), has llhttp parse it (``parsing.py``),
and only then hands it to a request thread (``threads.py``), where ``gateway.py`` runs the
application and writes its answer. So a slow or idle client costs a socket and its buffer,
never a thread, and:

* a head must be whole within ``header_timeout`` of the connection (or of the first byte after
  a kept-alive pause), and a body within ``body_timeout`` of its head; else the connection is
  closed;
* a head over ``max_head`` bytes is answered 431, a body declared (or chunked) over
  ``max_body`` bytes 413, a request llhttp refuses 400, from the event loop, without a thread;
* each client address may hold ``max_per_client`` connections in a process: one more makes
  the client's oldest connection that is not being served close (its kept-alive or
  half-received one), so a client crowds out only itself; if all of them are being served,
  the new one is refused;
* a thread's writes on the socket time out after ``body_timeout`` (a client that stops
  reading its response frees the thread then).

gunicorn keeps what it does well: the master, worker processes and their signals, the event
loop, keep-alive bookkeeping and the access log. Its own HTTP parser and response writer are
not used: they cost about 0.15 ms of CPU per request, which made the production server slower
than the embedded one on a single connection (bench/rest_api.py). This relies on
``gthread``'s internals (``TConn``, the run loop's hooks, ``keepalived_conns``, ``poller``,
``method_queue``), which is why pyproject.toml pins gunicorn's major version;
tests/test_serving.py covers each rule.
"""

from __future__ import annotations

import contextlib
import errno
import selectors
import socket
import threading
import time
from datetime import timedelta
from functools import partial
from typing import Any

from gunicorn.workers.gthread import STOP_KEEPALIVE_LINGER, TConn, ThreadWorker

from hookwire.server.framing import RequestFramer, Verdict
from hookwire.server.gateway import Response, environ_for
from hookwire.server.parsing import BadRequest, ParsedRequest, parse_request
from hookwire.server.responses import (
    BAD_REQUEST,
    HEAD_TOO_LARGE,
    SERVER_ERROR,
    TOO_LARGE,
    body_too_large_message,
    error_response,
    head_too_large_message,
)
from hookwire.server.threads import RequestThreads

RECV_SIZE = 64 * 1024
UNEXPECTED = "Internal server error; the server log has the details."
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
HOUSEKEEPING_INTERVAL = 1.0  # seconds between heartbeats, parent checks and deadline sweeps
LINGER = 2.0  # after a refusal, how long unread request bytes are drained before closing


class Limits:
    """What the worker enforces; set on the class by the production server before it forks."""

    max_head = 64 * 1024
    max_body = 5 * 1024 * 1024
    header_timeout = 10.0
    body_timeout = 60.0
    max_per_client = 100  # 0: no cap
    exempt: Any = None  # a callable: addresses (trusted proxies) the per-client cap skips


class BufferedConn(TConn):
    """A connection whose next request is read by the event loop before a thread takes it."""

    def __init__(self, cfg: Any, sock: socket.socket, client: Any, server: Any) -> None:
        super().__init__(cfg, sock, client, server)
        self.framer: RequestFramer | None = None
        self.deadline = 0.0
        self.request: ParsedRequest | None = None  # read by the event loop, for a thread
        self.leftover = b""  # bytes after that request: the start of the next one
        self.close_after = False  # where the request ended is not known: no next one
        self.client_key = client[0] if isinstance(client, tuple) else str(client)
        self.linger: Any = None  # the worker's lingering close, for the event loop's closes

    def close(self, graceful: bool = False) -> None:
        """gthread closes gracefully by draining the socket for up to 2 s in its event loop,
        which would stall every connection of the worker behind one silent client; here the
        draining is one more thing the event loop waits on."""
        if graceful and self.linger is not None:
            self.linger(self.sock)
        else:
            super().close(graceful)


class HookwireWorker(ThreadWorker):
    """``gthread`` with event-loop reading, per-client caps, and header/body deadlines."""

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        super().check_config(cfg, log)
        if cfg.is_ssl:
            raise RuntimeError("HookwireWorker serves plain HTTP; terminate TLS in a proxy")

    def get_thread_pool(self) -> RequestThreads:
        return RequestThreads(self.cfg.threads)

    def init_process(self) -> None:
        self.checked_at = 0.0  # when the event loop last did its housekeeping
        self.housekeeping_due = True
        self.parent_alive = True
        self.in_flight = 0  # requests handed to the thread pool and not finished
        self.flight_lock = threading.Lock()  # in_flight is counted up here, down in threads
        self.reading: dict[BufferedConn, None] = {}  # insertion-ordered
        self.lingering: dict[socket.socket, float] = {}
        self.clients: dict[str, list[BufferedConn]] = {}
        super().init_process()

    # --- connections in ------------------------------------------------------------------

    def accept(self, listener: Any) -> None:
        try:
            sock, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        conn = BufferedConn(self.cfg, sock, address, listener.getsockname())
        conn.linger = self._shut_and_linger
        if not self._admit(conn):
            self._refuse(sock)
            return
        self.nr_conns += 1
        self._start_reading(conn)

    def _submit(self, conn: BufferedConn) -> None:
        with self.flight_lock:
            self.in_flight += 1
            full = self.in_flight >= self.cfg.threads
        if full:
            self.set_accept_enabled(False)  # the run loop enables it again
        self.tpool.submit(self._serve, conn)

    def _serve(self, conn: BufferedConn) -> None:
        """In a thread: serve ``conn``'s request, then have the poller wait for its next one
        from here, which spares the event loop a wake-up per request; closing, a pipelined
        request and a stopping worker are left to the event loop."""
        keep_alive = False
        try:
            keep_alive = self.handle(conn)
        finally:
            with self.flight_lock:
                was_full = self.in_flight >= self.cfg.threads
                self.in_flight -= 1
            if keep_alive and not conn.leftover and self.alive:
                self._keep_alive(conn)
                if was_full:  # wake the event loop: it may accept again
                    self.method_queue.defer(self._noop)
            else:
                self.method_queue.defer(self._finish, conn, keep_alive)

    def _finish(self, conn: BufferedConn, keep_alive: bool) -> None:
        """In the event loop, after a thread has served ``conn``: read the next request
        (already begun by a pipelining client), wait for it, or close."""
        if not keep_alive:
            self.nr_conns -= 1
            conn.close(graceful=True)
        elif conn.leftover:
            self._start_reading(conn)
        else:
            self._keep_alive(conn)

    def _keep_alive(self, conn: BufferedConn) -> None:
        """Have the poller wait for ``conn``'s next request (from any thread: the deque and
        the selector are safe to add to while the event loop waits on them)."""
        conn.set_timeout()
        if not self.alive:
            conn.timeout = min(conn.timeout, time.monotonic() + STOP_KEEPALIVE_LINGER)
        self.keepalived_conns.append(conn)  # before the poller can report the socket
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
        )

    @staticmethod
    def _noop() -> None:
        pass

    def _cap_keepalive(self, deadline: float) -> None:
        """As gthread's, over a copy: a thread may add a connection meanwhile."""
        for conn in list(self.keepalived_conns):
            conn.timeout = min(conn.timeout, deadline)

    def set_accept_enabled(self, enabled: bool) -> None:
        """Accept only with a thread free: a busy worker leaves new connections to the
        others (they all accept on one socket, and a connection stays with the worker that
        took it), and takes them itself as soon as a request of its own ends."""
        super().set_accept_enabled(enabled and self.in_flight < self.cfg.threads)

    def on_client_socket_readable(self, conn: BufferedConn, client: Any) -> None:
        """A kept-alive connection has its next request coming: read it here."""
        self.keepalived_conns.remove(conn)
        self._start_reading(conn, registered=True)

    def handle(self, conn: BufferedConn) -> bool:
        """In a thread: serve the request the event loop read; whether to keep the connection."""
        request, conn.request = conn.request, None
        assert request is not None
        self._count_request()
        response = Response(conn.sock, request, self._may_keep_alive(conn), Limits.body_timeout)
        environ: dict[str, Any] = {}
        began = time.monotonic()
        try:
            environ = environ_for(request, conn.client, conn.server, self.cfg.workers > 1)
            response.send(self.wsgi(environ, response.start_response))
            return response.keep_alive
        except OSError as error:  # the client went away, or stopped reading
            self.log.debug("connection lost while answering: %s", error)
        except Exception:
            self.log.exception("Error handling request %s %s", request.method, request.target)
            if not response.head_sent:
                with contextlib.suppress(OSError):
                    conn.sock.sendall(error_response(SERVER_ERROR, UNEXPECTED))
        finally:
            if environ and self.log.access_log_enabled:
                elapsed = timedelta(seconds=time.monotonic() - began)
                self.log.access(response, request, environ, elapsed)
        return False

    def _count_request(self) -> None:
        """gunicorn's ``max_requests``: a worker that has served enough restarts."""
        self.nr += 1
        if self.nr >= self.max_requests and self.alive:
            self.log.info("Autorestarting worker after current request.")
            self.alive = False

    def _may_keep_alive(self, conn: BufferedConn) -> bool:
        return (
            self.alive
            and bool(self.cfg.keepalive)
            and not conn.close_after
            and len(self.keepalived_conns) < self.max_keepalived
        )

    # --- reading in the event loop -------------------------------------------------------

    def _start_reading(self, conn: BufferedConn, registered: bool = False) -> None:
        """Read ``conn``'s next request in the event loop; ``registered``: the poller already
        watches its socket (a kept-alive connection that became readable)."""
        leftover, conn.leftover = conn.leftover, b""  # a pipelining client's next request
        conn.framer = RequestFramer(Limits.max_head, Limits.max_body, leftover)
        conn.deadline = time.monotonic() + Limits.header_timeout
        # Most requests are whole at the first read: then no poller round at all.
        if conn.framer.verdict is Verdict.MORE and not self._read_available(conn):
            if registered:
                self._unwatch(conn)
            self._close(conn)
        elif conn.framer.verdict is Verdict.MORE:
            self.reading[conn] = None
            callback = partial(self._readable, conn)
            if registered:
                self.poller.modify(conn.sock, selectors.EVENT_READ, callback)
            else:
                self.poller.register(conn.sock, selectors.EVENT_READ, callback)
        else:
            if registered:
                self._unwatch(conn)
            self._decide(conn)

    def _readable(self, conn: BufferedConn, _sock: Any) -> None:
        if not self._read_available(conn):
            self._drop(conn)
        elif conn.framer is not None and conn.framer.verdict is not Verdict.MORE:
            self._stop_reading(conn)
            self._decide(conn)

    def _read_available(self, conn: BufferedConn) -> bool:
        """Feed the framer what the socket holds; False if the client has gone."""
        framer = conn.framer
        assert framer is not None
        while framer.verdict is Verdict.MORE:
            try:
                data = conn.sock.recv(RECV_SIZE)
            except (BlockingIOError, InterruptedError):
                return True
            except OSError:
                return False
            if not data:  # the client closed
                return False
            had_head = framer.head_complete
            framer.feed(data)
            if framer.head_complete and not had_head:
                conn.deadline = time.monotonic() + Limits.body_timeout
                if framer.expects_continue and framer.verdict is Verdict.MORE:
                    # gunicorn would say it once a thread parses the head: too late here
                    with contextlib.suppress(OSError):
                        conn.sock.send(CONTINUE)
            if len(data) < RECV_SIZE:  # drained, most likely: the poller says when there is more
                return True
        return True

    def _decide(self, conn: BufferedConn) -> None:
        framer = conn.framer
        assert framer is not None
        conn.framer = None
        if framer.verdict in (Verdict.COMPLETE, Verdict.HAND_ON):
            self._parse(conn, framer)
        elif framer.verdict is Verdict.HEAD_TOO_LARGE:
            self._answer_and_close(
                conn, error_response(HEAD_TOO_LARGE, head_too_large_message(Limits.max_head))
            )
        else:
            message = body_too_large_message(Limits.max_body, framer.declared_length)
            self._answer_and_close(conn, error_response(TOO_LARGE, message))

    def _parse(self, conn: BufferedConn, framer: RequestFramer) -> None:
        """Hand a framed request to a thread, or answer 400 if llhttp refuses it."""
        buffer = framer.buffer
        if framer.end is None:  # handed on: what follows the request is not known
            conn.close_after = True
            data = bytes(buffer)
        else:
            data, conn.leftover = bytes(buffer[: framer.end]), bytes(buffer[framer.end :])
        try:
            conn.request = parse_request(data)
        except BadRequest as error:
            self._answer_and_close(conn, error_response(BAD_REQUEST, f"request: {error}"))
            return
        self._submit(conn)

    def _stop_reading(self, conn: BufferedConn) -> None:
        self.reading.pop(conn, None)
        self._unwatch(conn)

    def _unwatch(self, conn: BufferedConn) -> None:
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(conn.sock)

    def _close(self, conn: BufferedConn) -> None:
        self.nr_conns -= 1
        conn.close()

    def _drop(self, conn: BufferedConn) -> None:
        self._stop_reading(conn)
        self._close(conn)

    def _answer_and_close(self, conn: BufferedConn, response: bytes) -> None:
        """Send a refusal, then drain what the client is still sending for a moment, so the
        client reads the answer instead of a reset."""
        self.nr_conns -= 1
        with contextlib.suppress(OSError):
            conn.sock.send(response)
        self._shut_and_linger(conn.sock)

    def _shut_and_linger(self, sock: socket.socket) -> None:
        try:
            sock.setblocking(False)
            sock.shutdown(socket.SHUT_WR)
            self.poller.register(sock, selectors.EVENT_READ, self._drain)
        except (OSError, ValueError, KeyError):
            sock.close()
            return
        self.lingering[sock] = time.monotonic() + LINGER

    def _drain(self, sock: socket.socket) -> None:
        try:
            if sock.recv(RECV_SIZE):
                return
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            pass
        self._close_lingering(sock)

    def _close_lingering(self, sock: socket.socket) -> None:
        self.lingering.pop(sock, None)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self.poller.unregister(sock)
        sock.close()

    # --- caps and deadlines --------------------------------------------------------------

    def _admit(self, conn: BufferedConn) -> bool:
        """Whether ``conn`` may open, closing its client's oldest idle connection at the cap."""
        cap = Limits.max_per_client
        if not cap or (Limits.exempt is not None and Limits.exempt(conn.client_key)):
            return True
        held = [c for c in self.clients.get(conn.client_key, ()) if c.sock.fileno() >= 0]
        if len(held) >= cap:
            idle = next((c for c in held if self._close_if_idle(c)), None)
            if idle is None:
                self.clients[conn.client_key] = held
                return False
            held.remove(idle)
        held.append(conn)
        self.clients[conn.client_key] = held
        return True

    def _close_if_idle(self, conn: BufferedConn) -> bool:
        if conn in self.reading:
            self._drop(conn)
            return True
        if conn in self.keepalived_conns:
            self.keepalived_conns.remove(conn)
            self._unwatch(conn)
            self._close(conn)
            return True
        return False

    def _refuse(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.close()

    def notify(self) -> None:
        """Called by the event loop on every wake-up, once per request on a busy connection;
        the housekeeping after it (heartbeat, parent check, deadline sweeps) runs once per
        ``HOUSEKEEPING_INTERVAL``: done on every wake-up, its system calls hand the GIL to
        and fro with the thread serving the request (measured: +60 us CPU per request)."""
        now = time.monotonic()
        self.housekeeping_due = now - self.checked_at >= HOUSEKEEPING_INTERVAL
        if self.housekeeping_due:
            self.checked_at = now
            super().notify()

    def is_parent_alive(self) -> bool:
        if self.housekeeping_due:
            self.parent_alive = super().is_parent_alive()
        return self.parent_alive

    def murder_keepalived(self, force: bool = False) -> None:
        if force or self.housekeeping_due:
            super().murder_keepalived(force)

    def murder_pending(self) -> None:
        """Close connections past their deadlines; forget closed ones."""
        if not self.housekeeping_due:
            return
        super().murder_pending()
        now = time.monotonic()
        stopping = not self.alive  # then a connection that has sent nothing waits for nothing
        for conn in [
            c
            for c in self.reading
            if c.deadline <= now or (stopping and c.framer is not None and not c.framer.buffer)
        ]:
            self._drop(conn)
        for sock in [s for s, until in self.lingering.items() if until <= now]:
            self._close_lingering(sock)
        if len(self.clients) > 1024 or now - getattr(self, "_pruned", 0.0) > 10:
            self._pruned = now
            self.clients = {
                key: alive
                for key, conns in self.clients.items()
                if (alive := [c for c in conns if c.sock.fileno() >= 0])
            }
