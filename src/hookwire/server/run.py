"""One entry for both servers, on a socket already bound (see ``listener``)."""

from __future__ import annotations

import resource
import socket
from collections.abc import Callable

from hookwire.config import Config
from hookwire.server.listener import start_listening


def run_server(
    config: Config,
    listener: socket.socket,
    *,
    production: bool = False,
    workers: int = 0,
    threads: int = 0,
    announce: Callable[[str], None] = lambda kind: None,
) -> None:
    """Serve on ``listener`` (bound by ``bind_listener``) until stopped: waitress in this
    process, or with ``production`` gunicorn's master here and its workers forked from it.
    ``announce`` is called with the server's kind once it takes connections. Raises
    ``ListenError`` if the socket cannot listen after all."""
    _allow_open_files(config.server.max_connections + 256)  # per process
    if production:
        from hookwire.server.production import serve_production

        start_listening(listener)  # connections wait in the backlog while workers boot
        serve_production(
            config,
            listener,
            workers=workers,
            threads=threads,
            announce=lambda: announce("production server"),
        )
    else:
        from hookwire.app import create_app
        from hookwire.server.embedded import serve_embedded

        app = create_app(config)
        start_listening(listener)
        serve_embedded(app, listener, config, threads, lambda: announce("embedded server"))


def _allow_open_files(wanted: int) -> None:
    """Raise the soft limit on open files towards ``wanted``, as far as the hard limit allows:
    each connection is one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
