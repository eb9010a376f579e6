"""The client's address behind trusted reverse proxies (``HOOKWIRE_TRUSTED_PROXIES``).

With a count ``n``, werkzeug's ProxyFix takes the ``n``-th address from the right of
``X-Forwarded-For`` (and of ``X-Forwarded-Proto``). With networks, the peer must be in them for
any forwarded header to count, and ``X-Forwarded-For`` is read from the right past every
address in them: the first address outside is the client, as nginx's ``real_ip_recursive``
does. Nothing else is trusted (not ``X-Forwarded-Host``: URLs this server builds keep its own
host). Without the setting the headers change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from hookwire.config import TrustedProxies

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ORIGINAL_PEER = "hookwire.peer"  # the environ key keeping the connection's own address


def trust_proxies(app: WsgiApp, proxies: TrustedProxies) -> WsgiApp:
    """``app`` seeing the client's address and scheme as ``proxies`` report them."""
    if proxies.networks:
        return _NetworkProxies(app, proxies)
    if proxies.count:
        return ProxyFix(app, x_for=proxies.count, x_proto=proxies.count)
    return app


class _NetworkProxies:
    def __init__(self, app: WsgiApp, proxies: TrustedProxies) -> None:
        self.app = app
        self.proxies = proxies

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if self.proxies.trusts(peer):
            forwarded_for = environ.get("HTTP_X_FORWARDED_FOR", "")
            client, hops = client_address(forwarded_for, self.proxies.trusts)
            if hops:
                environ[ORIGINAL_PEER] = peer
                environ["REMOTE_ADDR"] = client
                scheme = _forwarded_scheme(environ.get("HTTP_X_FORWARDED_PROTO", ""), hops)
                if scheme:
                    environ["wsgi.url_scheme"] = scheme
        return self.app(environ, start_response)


def client_address(forwarded_for: str, trusts: Callable[[str], bool]) -> tuple[str, int]:
    """The client and how many forwarded addresses were read to find it: from the right of
    ``X-Forwarded-For``, the first address that is not a trusted proxy (the leftmost if all
    are); ``("", 0)`` when the header is empty."""
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    client, hops = "", 0
    for address in reversed(chain):
        client, hops = address, hops + 1
        if not trusts(address):
            break
    return client, hops


def _forwarded_scheme(header: str, hops: int) -> str | None:
    values = [part.strip().lower() for part in header.split(",") if part.strip()]
    if not values:
        return None
    value = values[max(len(values) - hops, 0)]
    return value if value in ("http", "https") else None
