"""The hosts ExportHub itself connects to (its clouds' endpoints, the operator's stand-ins).

Connections to a tenant's host are limited and cooled down by host, so a tenant naming one of
these would put the platform's own connections there under its limit. Each cloud declares its
hosts (`platform_hosts` registers them); a tenant's URL naming one is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

_lock = threading.Lock()
_sources: list[Callable[[], Iterable[str]]] = []


def platform_hosts(source: Callable[[], Iterable[str]]) -> None:
    """Add a source of hosts the platform connects to, asked at each check (the operator's
    settings may change): a name, or ".example.com" for it and every name below it."""
    with _lock:
        _sources.append(source)


def is_platform_host(host: str) -> bool:
    """Whether the platform itself connects to `host` (an ASCII host as `urls.parse` gives)."""
    host = host.lower().rstrip(".")
    with _lock:
        sources = list(_sources)
    for source in sources:
        for name in source():
            name = name.lower().rstrip(".")
            if name.startswith("."):
                if host == name[1:] or host.endswith(name):
                    return True
            elif host == name:
                return True
    return False
