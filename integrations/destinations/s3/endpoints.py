"""S3-compatible Endpoint URLs: HTTPS to a public address, unless the operator allows the host."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.outbound import resolve_addresses

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


def _is_public(address: str) -> bool:
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


def clean_endpoint_url(value: str) -> str:
    """Return the endpoint as scheme://host[:port]; reject anything that could reach inside."""
    return checked_endpoint(value)[0]


def checked_endpoint(value: str) -> tuple[str, str | None]:
    """The canonical endpoint and a checked public address of its host to connect to (None for
    a host the operator allows, which is connected to as named)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValidationError("Enter a URL like https://s3.example.com.") from None
    if parts.scheme != "https":
        raise ValidationError("The Endpoint URL must use https://.")
    if not parts.hostname:
        raise ValidationError("Enter a URL like https://s3.example.com.")
    if parts.username or parts.password:
        raise ValidationError("Do not put credentials in the Endpoint URL.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError("The Endpoint URL is just https://host[:port], without a path.")
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    canonical = f"https://{netloc}{f':{port}' if port else ''}"
    if host in settings.ENDPOINT_URL_ALLOWED_HOSTS:
        return canonical, None
    try:
        addresses = resolve_addresses(host, port or 443)
    except (OSError, UnicodeError):
        raise ValidationError(f"The host {host} could not be resolved.") from None
    if not addresses or not all(_is_public(address) for address in addresses):
        raise ValidationError(
            "The Endpoint URL points at a private, loopback, link-local or reserved address. "
            "Ask the operator to allow this host if it is intended."
        )
    return canonical, addresses[0]
