"""Outbound connections to addresses a tenant typed: resolved with the system's own resolver,
checked, and pinned.

Connect only to an address that was checked: a tenant's S3 Endpoint URL host is resolved,
checked (public addresses only) and pinned; the SDK's own resolution of that host answers the
pinned address, so DNS rebinding between the check and the connection reaches nothing inside.

botocore opens its sockets through urllib3, which resolves with socket.getaddrinfo; the hook
below answers pinned host names from the table and passes everything else through unchanged.
TLS still verifies the certificate against the host name."""

from __future__ import annotations

import socket
import threading
from typing import Any

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
