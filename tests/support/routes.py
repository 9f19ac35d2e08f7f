"""Every URL pattern of the project, found by walking the resolver, and a route's URL with its
parameters filled in (a parameter nobody mapped fails, so a new kind of route is not missed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

TENANT_PREFIX = "t/<slug:tenant_slug>/"


def patterns(resolvers: Any = None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Each route (its full pattern text) with the pattern that answers it."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, route)
        else:
            yield route, entry


def fill(route: str, values: dict[str, str]) -> str:
    """The route's path with each parameter taken from `values`."""

    def value(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in values:
            raise AssertionError(f"map the URL parameter {name!r} of {route!r} in this test")
        return values[name]

    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)  # regex routes (DRF's router)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)
