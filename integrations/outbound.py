"""Outbound connections to addresses a tenant typed: resolved with the system's own resolver,
checked, and pinned.

Connect only to an address that was checked: a tenant's S3 Endpoint URL host is resolved,
checked (public addresses only) and pinned; the SDK's own resolution of that host answers the
pinned address, so DNS rebinding between the check and the connection reaches nothing inside.

botocore opens its sockets through urllib3, which resolves with socket.getaddrinfo; the hook
below answers pinned host names from the table and passes everything else through unchanged.
TLS still verifies the certificate against the host name."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Container
from typing import Any

from django.core.exceptions import ValidationError

_pinned: dict[str, str] = {}
_lock = threading.Lock()
_resolve = socket.getaddrinfo


def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(host, str):
        host = _pinned.get(host.lower(), host)
    return _resolve(host, port, *args, **kwargs)


def resolve_addresses(host: str, port: int) -> list[str]:
    """The host's addresses from DNS itself, never from the pinned table."""
    infos = _resolve(host, port, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def pin(host: str, address: str) -> None:
    """From now on, connections to `host` go to `address` (re-pinned at every connect)."""
    with _lock:
        if socket.getaddrinfo is not _getaddrinfo:
            socket.getaddrinfo = _getaddrinfo
        _pinned[host.lower()] = address


def pinned(host: str) -> str | None:
    return _pinned.get(host.lower())


NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries: IPv4-mapped, 6to4, Teredo's client, NAT64."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in network for network in NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(address: str) -> bool:
    """Neither private, loopback, link-local, reserved nor multicast, in any IPv6 disguise."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:  # the IPv4 address is where the packets really go
            ip = embedded
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def public_address(host: str, port: int, allowed: Container[str], what: str) -> str | None:
    """A checked public address of `host` to connect to, or None for a host the operator
    allows (connected to as named); ValidationError naming `what` otherwise."""
    if host in allowed:
        return None
    try:
        addresses = resolve_addresses(host, port)
    except (OSError, UnicodeError):
        raise ValidationError(f"The host {host} could not be resolved.") from None
    if not addresses or not all(is_public(address) for address in addresses):
        raise ValidationError(
            f"The {what} points at a private, loopback, link-local or reserved address. "
            "Ask the operator to allow this host if it is intended."
        )
    return addresses[0]
