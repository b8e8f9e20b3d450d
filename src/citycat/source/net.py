"""Which network addresses citycat may ask: the public internet only, unless told otherwise.

A catalogue (``check-links``) or a source (``import``) names URLs that anyone can write. Asked
blindly, they reach what only this machine or its network reaches: a service on loopback, a
router's admin page, a cloud's metadata address (169.254.169.254). So every host is resolved and
**every** address it resolves to must be a public one (``ipaddress``' ``is_global``, and not
multicast); an IPv6 address that carries an IPv4 one (``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``,
6to4 ``2002::/16``) is judged by the IPv4 address inside. ``--allow-private`` lifts the rule
(the tests, an intranet's own link check).

The check is made before each request and each redirect hop, and again on the address actually
connected to when the client tells it (a name that resolves to a public address for the check and
a private one for the connection is caught there).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable

NAT64 = ipaddress.ip_network("64:ff9b::/96")


def public(address: str) -> bool:
    """Is this IP address (text, an IPv6 zone allowed) on the public internet?"""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and ip in NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            ip = inner
    return ip.is_global and not ip.is_multicast


def refused(addresses: Iterable[str]) -> str | None:
    """The first address that is not public, or None when all are (or there are none)."""
    return next((a for a in addresses if not public(a)), None)


def resolve(host: str, port: int | None = None) -> list[str]:
    """Every address ``host`` resolves to (an IP literal is itself); [] when it does not resolve,
    leaving that failure to the request itself, which reports it in its own words."""
    host = host.strip("[]")
    try:
        found = socket.getaddrinfo(host, port or 0, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def host_refusal(host: str | None, port: int | None = None) -> str | None:
    """The non-public address ``host`` leads to, or None when it may be asked."""
    if not host:
        return None
    return refused(resolve(host, port))


def peer(stream) -> str | None:
    """The address an httpx/httpcore network stream is connected to (None when unknown)."""
    try:
        found = stream.get_extra_info("server_addr") if stream is not None else None
    except Exception:  # a transport that cannot tell: the check before the request stands
        return None
    return str(found[0]) if isinstance(found, tuple) and found else None


def proxied(url: str) -> bool:
    """Is this URL asked through a proxy from the environment (then the peer is the proxy)?"""
    import urllib.request
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    if not (proxies.get(parts.scheme) or proxies.get("all")):
        return False
    return not urllib.request.proxy_bypass(parts.hostname or "")
