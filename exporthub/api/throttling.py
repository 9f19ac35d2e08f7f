"""Throttles per API key (or, on a page, per user) and per tenant, on ingestion, the write
actions and the Iceberg catalog's reads; their counts live in the shared cache so every web
process sees the same ones."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle

from exporthub.tenancy.models import ApiKey


def _api_key(request: Any) -> ApiKey | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None


class _Throttle(SimpleRateThrottle):
    """A rate read from a setting when the request comes (so tests and operators change it)."""

    setting = ""
    per_tenant = False

    def get_rate(self) -> str | None:
        return str(getattr(settings, self.setting, "")).strip() or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        key = _api_key(request)
        if self.per_tenant:
            tenant = key.tenant_id if key else getattr(request, "tenant", None)
            ident = f"tenant-{getattr(tenant, 'pk', tenant)}"
        else:
            ident = f"key-{key.pk}" if key else f"user-{request.user.pk}"
        return f"throttle:{self.scope}:{ident}"


class IngestKeyThrottle(_Throttle):
    scope, setting = "ingest", "THROTTLE_INGEST_RATE"


class IngestTenantThrottle(_Throttle):
    scope, setting, per_tenant = "ingest", "THROTTLE_TENANT_INGEST_RATE", True


class WriteKeyThrottle(_Throttle):
    scope, setting = "write", "THROTTLE_WRITE_RATE"


class WriteTenantThrottle(_Throttle):
    scope, setting, per_tenant = "write", "THROTTLE_TENANT_WRITE_RATE", True


class CatalogKeyThrottle(_Throttle):
    scope, setting = "catalog", "THROTTLE_CATALOG_RATE"


class CatalogTenantThrottle(_Throttle):
    scope, setting, per_tenant = "catalog", "THROTTLE_TENANT_CATALOG_RATE", True


INGEST = [IngestKeyThrottle, IngestTenantThrottle]
WRITE = [WriteKeyThrottle, WriteTenantThrottle]
CATALOG = [CatalogKeyThrottle, CatalogTenantThrottle]


def too_many(request: HttpRequest, retry_after: float) -> HttpResponse:
    """The page's 429, saying when to try again."""
    seconds = max(1, math.ceil(retry_after))
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


def throttled_page(
    throttles: list[type[_Throttle]],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page's POST counted like the API's (inside `tenant_view`: it needs `request.tenant`)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                # DRF's throttles read only what a Django request has too (user, tenant, auth).
                drf_request, no_view = cast(Any, request), cast(Any, None)
                waits = [t.wait() or 1.0 for t in (c() for c in throttles)
                         if not t.allow_request(drf_request, no_view)]  # fmt: skip
                if waits:
                    return too_many(request, max(waits))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
