"""Where Hookwire may connect on a user's say-so (a webhook's URL, a mailbox's host): public
addresses only, unless configuration allows a network. A private address reached that way
would let a user probe or use the network Hookwire runs in."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from hookwire.config import Network

# NAT64's well-known prefix (RFC 6052): the last 32 bits are the IPv4 address reached.
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_allowed_address(address: str, allowed: Sequence[Network]) -> bool:
    """Whether Hookwire may connect to ``address``: it is in an allowed network, or public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed):
        return True
    return _is_public(ip)


def _is_public(ip: IPAddress) -> bool:
    """A global unicast address, and so is the IPv4 address a 6to4 (``2002::/16``) or NAT64
    address carries. Site-local ``fec0::/10`` is deprecated but still routed inside some
    networks; Teredo (``2001::/32``) is not global, so it is refused whole."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        if ip in NAT64_PREFIX:  # global by RFC 6890, though ipaddress counts it reserved
            return _is_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and not _is_public(ip.sixtofour):
            return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)
