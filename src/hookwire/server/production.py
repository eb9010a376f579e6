"""``hookwire serve --production``: gunicorn, several worker processes of several threads each.

The worker is ``hookwire.server.worker.HookwireWorker`` (gthread reading whole requests in its
event loop; see there for the slow-client rules). This process runs the migrations, binds
the socket (a taken port is one line, before anything says "listening") and becomes
gunicorn's master; every worker builds its own app after the fork.

The webhook dispatcher loop runs in exactly one process of the server: the worker holding an
``flock`` on a file this master creates. Every worker asks for the lock in a thread at start;
the kernel grants it to one, and when that worker exits (a crash, a restart, ``--max-requests``)
it grants it to a waiting one, which starts the loop: no extra process, and no moment with
two loops in one server. A commit in any worker wakes that loop at once through a pipe all
workers share, as the in-process wake-up does in ``hookwire serve``. More servers on the same
database (replicas) each run one loop; claims in the database keep them from delivering the
same attempt twice.

Extra gunicorn settings can be given as ``GUNICORN_CMD_ARGS`` (e.g. ``--access-logfile -``),
applied after Hookwire's own.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import math
import os
import shlex
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

from gunicorn.app.base import BaseApplication

from hookwire.config import Config
from hookwire.server.responses import MAX_HEAD_BYTES
from hookwire.server.worker import Limits

DEFAULT_THREADS = 8
WORKER_CLASS = "hookwire.server.worker.HookwireWorker"
log = logging.getLogger(__name__)


def default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    return max(2, cpus)


class WakePipe:
    """Wakes the one dispatcher loop from any worker: a byte per commit, never blocking."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)

    def send(self) -> None:
        with contextlib.suppress(BlockingIOError):  # full: a wake-up is pending anyway
            os.write(self._write, b"\0")

    def listen(self, wake: Callable[[], None]) -> None:
        def forward() -> None:
            while os.read(self._read, 4096):
                wake()

        threading.Thread(target=forward, name="hookwire-dispatcher-wake", daemon=True).start()

    def close(self) -> None:
        for fd in (self._read, self._write):
            with contextlib.suppress(OSError):
                os.close(fd)


class DispatcherElection:
    """The one worker that runs the dispatcher loop: whichever holds the lock on ``path``."""

    def __init__(self, path: str, wake: WakePipe) -> None:
        self.path = path
        self.wake = wake
        self.dispatcher: Any = None

    def join(self, dispatcher: Any) -> None:
        """In a worker: wait for the lock in a thread; on getting it, start ``dispatcher``."""

        def run() -> None:
            fd = os.open(self.path, os.O_RDWR)  # this process's own lock (flock is per open)
            fcntl.flock(fd, fcntl.LOCK_EX)  # blocks, without the GIL, until it is ours
            log.info("this worker (pid %s) runs the webhook dispatcher", os.getpid())
            self.dispatcher = dispatcher
            dispatcher.start()
            self.wake.listen(dispatcher.notify)

        threading.Thread(target=run, name="hookwire-dispatcher-election", daemon=True).start()

    def leave(self) -> None:
        """In a worker that exits: stop the loop if it ran here (the lock goes with the
        process)."""
        if self.dispatcher is not None:
            self.dispatcher.stop()


class ProductionServer(BaseApplication):
    def __init__(self, config: Config, options: dict[str, Any], election: DispatcherElection):
        self.config = config
        self.options = options
        self.election = election
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        extra = os.environ.get("GUNICORN_CMD_ARGS")
        if extra:
            parsed = self.cfg.parser().parse_args(shlex.split(extra))
            for key, value in vars(parsed).items():
                if value is not None and key in self.cfg.settings and key != "args":
                    self.cfg.set(key.lower(), value)

    def load(self) -> Any:
        from hookwire.app import create_app, dispatcher_of

        app = create_app(
            self.config,
            start_dispatcher=False,
            notify_dispatcher=self.election.wake.send,
            start_email_sender=True,  # in every worker: its own commits wake it at once
        )
        self.election.join(dispatcher_of(app))
        return app


def configure_limits(config: Config) -> None:
    """The worker's rules, set before the fork so every worker has them."""
    settings, proxies = config.server, config.trusted_proxies
    Limits.max_head = MAX_HEAD_BYTES
    Limits.max_body = config.request_body_ceiling
    Limits.header_timeout = settings.header_timeout
    Limits.body_timeout = settings.body_timeout
    # Behind proxies counted, not named, every peer is a proxy: no per-address cap.
    Limits.max_per_client = 0 if proxies.count else settings.max_connections_per_client
    Limits.exempt = proxies.trusts if proxies.networks else None


@contextlib.contextmanager
def _lock_file() -> Iterator[str]:
    """The election's lock file, removed once the master is done. A worker leaves through
    this ``finally`` too (its exit unwinds the stack it was forked with), and must leave the
    file to its successors: removed by a recycled worker, no later worker could ever run the
    dispatcher loop."""
    fd, path = tempfile.mkstemp(prefix="hookwire-dispatcher-", suffix=".lock")
    os.close(fd)
    master = os.getpid()
    try:
        yield path
    finally:
        if os.getpid() == master:
            with contextlib.suppress(OSError):
                os.unlink(path)


def serve_production(
    config: Config,
    listener: socket.socket,
    *,
    workers: int,
    threads: int,
    announce: Callable[[], None],
) -> None:
    """Run gunicorn's master on ``listener`` (which it takes over) until it is stopped."""
    configure_limits(config)
    settings = config.server
    workers = workers or settings.workers or default_workers()
    threads = threads or settings.threads or DEFAULT_THREADS
    wake = WakePipe()
    with _lock_file() as lock_path:
        election = DispatcherElection(lock_path, wake)
        options = {
            "bind": [f"fd://{listener.detach()}"],
            "worker_class": WORKER_CLASS,
            "workers": workers,
            "threads": threads,
            "worker_connections": settings.max_connections,
            "keepalive": max(1, math.ceil(settings.keepalive_timeout)),
            "timeout": 30,
            "graceful_timeout": 30,
            "control_socket_disable": True,
            "proc_name": "hookwire",
            "when_ready": lambda _arbiter: announce(),
            "worker_exit": lambda _arbiter, _worker: election.leave(),
        }
        try:
            ProductionServer(config, options, election).run()
        finally:
            wake.close()
