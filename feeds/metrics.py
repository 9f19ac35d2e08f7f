"""Figures of the exports the database holds, read when `/metrics` is scraped and by `/healthz`
(registered in FeedsConfig.ready())."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from integrations.models import State

from .models import ExportRun
from .pages.freshness import recent_raw
from .runs.ledger import claimable
from .runs.schedule import last_tick


def collect() -> Iterable[Metric]:
    now = timezone.now()
    due = ExportRun.objects.filter(claimable(now), integration__state=State.ACTIVE).aggregate(
        runs=Count("pk"), oldest=Min("window_end")
    )
    yield GaugeMetricFamily(
        "exporthub_runs_due", "Export runs ready to run or retry now", value=due["runs"]
    )
    oldest: datetime | None = due["oldest"]
    yield GaugeMetricFamily(
        "exporthub_oldest_due_run_age_seconds",
        "How long ago the window of the oldest due run closed (0 when none is due)",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )
    yield from _recent_freshness(now)
    ticked = last_tick()
    if ticked is not None:
        yield GaugeMetricFamily(
            "exporthub_scheduler_last_tick_timestamp_seconds",
            "When the beat's schedule task last ran (Unix time)",
            value=ticked.timestamp(),
        )


def scheduler_health() -> dict[str, Any]:
    """`ok`, `stale` (no tick for SCHEDULER_STALE_SECONDS) or `unknown` (none yet)."""
    ticked = last_tick()
    if ticked is None:
        return {"status": "unknown", "last_tick": None}
    age = (timezone.now() - ticked).total_seconds()
    status = "stale" if age > settings.SCHEDULER_STALE_SECONDS else "ok"
    return {"status": status, "last_tick": ticked.isoformat(), "age_seconds": round(age)}


def _recent_freshness(now: datetime) -> Iterable[Metric]:
    """Each active raw integration's recent freshness, the figures its page shows (one query)."""
    found = recent_raw(now)
    seconds = GaugeMetricFamily(
        "exporthub_raw_freshness_seconds",
        "From a raw window's close to its file complete: p50 and p95 over the windows completed"
        " in the last 24 hours, as the integration page shows them",
        labels=["integration", "quantile"],
    )
    windows = GaugeMetricFamily(
        "exporthub_raw_freshness_windows",
        "Raw windows completed in the last 24 hours that the freshness quantiles cover",
        labels=["integration"],
    )
    for integration_id, figures in sorted(found.items()):
        seconds.add_metric([str(integration_id), "0.5"], figures.p50_seconds)
        seconds.add_metric([str(integration_id), "0.95"], figures.p95_seconds)
        windows.add_metric([str(integration_id)], figures.windows)
    yield seconds
    yield windows
