"""Prometheus metrics (prometheus-client), served at `/metrics` when `METRICS_TOKEN` is set.

Events are counted where they happen, in whichever process: web (ingestion), Celery workers
(exports, Verify). Under gunicorn and the Celery prefork pool every process counts alone, so the
launcher sets `PROMETHEUS_MULTIPROC_DIR` (prometheus-client's multiprocess mode) to a folder
that the web's `/metrics` sums (`make run` and docker-compose do). What the database already
knows (runs due, the oldest due run, the scheduler's last tick) is read when scraped, by
collectors the apps register (`COLLECTORS`), so every process reports the same figure.
"""

from __future__ import annotations

import functools
import hmac
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import Metric
from prometheus_client.registry import Collector

# Freshness (window close → file complete) and run durations, in seconds.
BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, float("inf"))

EXPORT_RUNS = Counter(
    "exporthub_export_runs", "Export attempts that ended", ["feed", "destination", "status"]
)
EXPORTED_ROWS = Counter("exporthub_exported_rows", "Rows exported", ["feed", "destination"])
EXPORTED_BYTES = Counter(
    "exporthub_exported_bytes", "Bytes of data files uploaded", ["feed", "destination"]
)
RUN_DURATION = Histogram(
    "exporthub_export_run_duration_seconds",
    "Duration of successful export attempts",
    ["feed", "destination"],
    buckets=BUCKETS,
)
FRESHNESS = Histogram(
    "exporthub_export_freshness_seconds",
    "From a scheduled window's close to its file complete",
    ["feed", "destination"],
    buckets=BUCKETS,
)
VERIFICATIONS = Counter(
    "exporthub_verifications", "Verify runs that finished", ["destination", "result"]
)
DEACTIVATIONS = Counter(
    "exporthub_deactivations", "Integrations deactivated for lost access", ["destination"]
)
INGESTED_EVENTS = Counter(
    "exporthub_ingested_events", "Events the ingestion API accepted", ["feed"]
)
WEBHOOK_ATTEMPTS = Counter(
    "exporthub_webhook_attempts",
    "Webhook delivery attempts (delivered: a 2xx answer)",
    ["kind", "event", "outcome"],
)
REJECTED_BATCHES = Counter(
    "exporthub_rejected_batches",
    "Ingestion requests refused whole (invalid rows, too large)",
    ["feed", "reason"],
)

# Collectors of figures the database holds, added by the apps in their AppConfig.ready().
COLLECTORS: list[Callable[[], Iterable[Metric]]] = []


class _DatabaseFigures(Collector):
    def collect(self) -> Iterable[Metric]:
        for collect in COLLECTORS:
            yield from collect()


@functools.cache
def _single_process_registry() -> CollectorRegistry:
    """The process's own registry, with the database figures added once."""
    REGISTRY.register(_DatabaseFigures())
    return REGISTRY


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_DatabaseFigures())
        return registry
    return _single_process_registry()


def _authorized(request: HttpRequest, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Off (404) without METRICS_TOKEN; with it, only `Authorization: Bearer <token>`."""
    token: str = settings.METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off.")
    if not _authorized(request, token):
        response = HttpResponse("A valid bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
