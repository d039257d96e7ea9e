"""Which network addresses a fetch may reach (no Scrapy here: `ogiaudit audit URL` uses it too).

An address is private when it is private, loopback, link-local, reserved, multicast, unspecified or otherwise not
global, also when written as IPv4-mapped (::ffff:127.0.0.1), 6to4 or Teredo IPv6, or with a zone (fe80::1%eth0).
Host names and IP literals in every form the system accepts (2130706433, 0x7f.1, 127.1) are read through the
system resolver, exactly as a connection would read them.
"""
from __future__ import annotations

import ipaddress
import socket


def is_private(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0].strip("[]"))
    except ValueError:
        return False
    if addr.version == 6:
        inner = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if inner is not None and is_private(str(inner)):
            return True
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast
            or addr.is_unspecified or not addr.is_global)


def resolve(host: str, port: int | None = None) -> list[str]:
    """The addresses a connection to `host` would use ([] when it does not resolve)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError, ValueError):
        return []
    return sorted({ai[4][0] for ai in infos})
