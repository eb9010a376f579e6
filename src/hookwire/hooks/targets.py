"""Where webhooks may point: public http(s) addresses, unless configuration allows a network.

The check runs when a webhook is saved and again on every connection: the guarded pools
resolve the host itself and connects only to an address it has vetted, so a DNS answer that
changes between the two (rebinding) cannot reach a private address. A host name that does not
resolve yet is accepted when saved (a catch URL is often registered before its DNS exists);
each delivery resolves it again and is refused then if it is private or still unknown.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

from hookwire.config import Network
from hookwire.outbound import is_allowed_address

REFUSAL_MARKER = "targetUrl:"


class TargetRefused(ValueError):
    """The URL is malformed or resolves to an address webhooks may not reach."""


class UnresolvedHost(TargetRefused):
    """The URL's host name does not resolve (now)."""


def check_url_shape(url: str) -> tuple[str, int]:
    """The (host, port) of an http(s) URL, or TargetRefused saying what is wrong."""
    if not isinstance(url, str) or not url:
        raise TargetRefused("targetUrl: expected an http:// or https:// URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(f"targetUrl: expected an http:// or https:// URL, got {url!r}")
    if not parts.hostname:
        raise TargetRefused(f"targetUrl: {url!r} has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise TargetRefused(f"targetUrl: {url!r} has an invalid port") from None
    return parts.hostname, port


def vetted_addresses(host: str, port: int, allowed: Sequence[Network]) -> list[tuple]:
    """``getaddrinfo`` results for ``host`` that webhooks may reach; TargetRefused if none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnresolvedHost(f"targetUrl: cannot resolve {host!r} ({error.strerror})") from None
    usable = [info for info in infos if is_allowed_address(info[4][0], allowed)]
    if not usable:
        addresses = ", ".join(sorted({info[4][0] for info in infos}))
        raise TargetRefused(
            f"targetUrl: {host} resolves to {addresses}, a loopback, private, link-local, "
            "site-local, multicast or reserved address (or a 6to4 or NAT64 address of one); "
            "webhooks must reach a public address "
            "(or allow the network with HOOKWIRE_WEBHOOK_ALLOWED_NETWORKS)"
        )
    return usable


def check_target(url: str, allowed: Sequence[Network]) -> None:
    """Refuse, when a webhook is saved, a URL that is malformed or whose host resolves only
    to addresses webhooks may not reach; a host that does not resolve yet passes."""
    host, port = check_url_shape(url)
    # Every delivery resolves the host again, and refuses it then if it must.
    with contextlib.suppress(UnresolvedHost):
        vetted_addresses(host, port, allowed)


def _guarded(connection_class: type[HTTPConnection], allowed: Sequence[Network]) -> type:
    class GuardedConnection(connection_class):  # type: ignore[valid-type, misc]
        def _new_conn(self):
            try:
                candidates = vetted_addresses(self._dns_host, self.port, allowed)
            except TargetRefused as refused:
                raise NewConnectionError(self, str(refused)) from None
            last_error: OSError | None = None
            for family, kind, proto, _name, address in candidates:
                sock = socket.socket(family, kind, proto)
                try:
                    sock.settimeout(self.timeout)  # type: ignore[arg-type]
                    for option in self.socket_options or ():
                        sock.setsockopt(*option)
                    sock.connect(address)
                    return sock
                except OSError as error:
                    sock.close()
                    last_error = error
            raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")

    return GuardedConnection


def guarded_pool_manager(allowed: Sequence[Network], **kwargs: Any) -> PoolManager:
    """A urllib3 ``PoolManager`` whose connections only ever reach vetted addresses."""
    manager = PoolManager(**kwargs)
    manager.pool_classes_by_scheme = {
        "http": type(
            "GuardedHTTPPool",
            (HTTPConnectionPool,),
            {"ConnectionCls": _guarded(HTTPConnection, tuple(allowed))},
        ),
        "https": type(
            "GuardedHTTPSPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": _guarded(HTTPSConnection, tuple(allowed))},
        ),
    }
    return manager
