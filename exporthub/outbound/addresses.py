"""Which addresses a tenant's host may lead to: public ones only, in any IPv6 disguise, unless
the operator allows the host by name."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Container

from django.core.exceptions import ValidationError

NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


DNS_SECONDS = 5.0  # how long a tenant's DNS may take to name its host's addresses


def resolve(host: str, port: int, seconds: float = DNS_SECONDS) -> list[str]:
    """The host's addresses, as the system's resolver answers within `seconds` (TimeoutError
    after). The lookup runs in a thread of its own: the C resolver cannot be interrupted, and
    a tenant's DNS that answers late must not hold the request or the task asking."""
    found: list[str] = []
    failed: list[BaseException] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
            found.extend(sorted({str(info[4][0]) for info in infos}))
        except (OSError, UnicodeError) as exc:
            failed.append(exc)

    thread = threading.Thread(target=lookup, name="dns", daemon=True)
    thread.start()
    thread.join(max(seconds, 0.001))
    if thread.is_alive():
        raise TimeoutError(f"the host {host} did not resolve within {seconds:g} s")
    if failed:
        raise failed[0]
    return found


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
        addresses = resolve(host, port)
    except TimeoutError:
        raise ValidationError(f"The host {host} did not resolve in time.") from None
    except (OSError, UnicodeError):
        raise ValidationError(f"The host {host} could not be resolved.") from None
    if not addresses or not all(is_public(address) for address in addresses):
        raise ValidationError(
            f"The {what} points at a private, loopback, link-local or reserved address. "
            "Ask the operator to allow this host if it is intended."
        )
    return addresses[0]
