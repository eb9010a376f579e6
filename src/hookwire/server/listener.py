"""The listening socket, bound before anything says "listening": a port that cannot be had is
one line naming it and how to pick another, never a traceback."""

from __future__ import annotations

import errno
import socket

BACKLOG = 1024


class ListenError(Exception):
    """The server cannot listen where asked; the message is one line that says what to do."""


def bind_listener(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port``, not yet listening: the port is this server's from
    now on (a taken one fails here), while a client connecting before ``start_listening`` is
    refused at once instead of waiting in the backlog for migrations to end."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise ListenError(f"cannot listen on {host!r}: {error.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise ListenError(_explain(error, host, port)) from None
    return sock


def start_listening(sock: socket.socket) -> None:
    """Take connections on ``sock`` from now on."""
    try:
        sock.listen(BACKLOG)
    except OSError as error:
        host, port = sock.getsockname()[:2]
        sock.close()
        raise ListenError(_explain(error, host, port)) from None


def _explain(error: OSError, host: str, port: int) -> str:
    pick = "pick another port with --port or the PORT variable"
    if error.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use by another program; {pick}"
    if error.errno == errno.EACCES:
        return f"not allowed to listen on port {port} (below 1024 needs privileges); {pick}"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {host}: not an address of this machine (try 127.0.0.1 or 0.0.0.0)"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"
