"""How fresh an integration's files are: from a window's close to its file complete.

Measured over the last 7 days of scheduled windows (generation 0: a reprocessed hour says
nothing about the schedule), as p50 and p95, for the dashboard, the integration page and the
API; and over recent raw windows (RECENT) for the integration page and `/metrics`, which show the
same figures. File complete is when the run recorded its success, right after its manifest was
written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, QuerySet

from integrations.catalog import FEEDS, FeedKind
from integrations.models import Integration, State

from ..models import ExportRun

PERIOD = timedelta(days=7)
# Raw windows' freshness now, as the integration page and `/metrics` report it: scheduled raw
# windows whose file completed in the last 24 hours (96 windows of an integration).
RECENT = timedelta(hours=24)


@dataclass(frozen=True)
class Freshness:
    p50_seconds: float
    p95_seconds: float
    windows: int

    def as_json(self) -> dict[str, Any]:
        return {
            "p50_seconds": round(self.p50_seconds, 1),
            "p95_seconds": round(self.p95_seconds, 1),
            "windows": self.windows,
        }


class _PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an interval."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def freshness(integration_ids: list[int], now: datetime) -> dict[int, Freshness]:
    """Each listed integration's freshness over PERIOD, in one query; none without windows."""
    return _percentiles(ExportRun.objects.filter(integration_id__in=integration_ids), now - PERIOD)


def recent_raw(now: datetime, integration_id: int | None = None) -> dict[int, Freshness]:
    """Freshness of recent raw windows (RECENT: completed in the last 24 hours), of one
    integration or of every active raw one: what its page and `/metrics` both show."""
    runs = ExportRun.objects.filter(
        integration__feed__in=[name for name, feed in FEEDS.items() if feed.kind == FeedKind.RAW]
    )
    if integration_id is None:
        runs = runs.filter(integration__state=State.ACTIVE)
    else:
        runs = runs.filter(integration_id=integration_id)
    return _percentiles(runs, now - RECENT)


def _percentiles(runs: QuerySet[ExportRun], since: datetime) -> dict[int, Freshness]:
    """p50 / p95 / count per integration of these runs' scheduled windows completed since."""
    lateness = ExpressionWrapper(F("finished_at") - F("window_end"), output_field=DurationField())
    runs = runs.filter(
        generation=0,
        backfill=None,  # an Admin's backfill says nothing about the schedule either
        status=ExportRun.Status.SUCCEEDED,
        finished_at__gte=since,
    )
    if connection.vendor == "postgresql":
        rows = runs.values("integration_id").annotate(
            p50=_PercentileCont(lateness, fraction=0.5),
            p95=_PercentileCont(lateness, fraction=0.95),
            n=Count("pk"),
        )
        return {
            row["integration_id"]: Freshness(
                row["p50"].total_seconds(), row["p95"].total_seconds(), row["n"]
            )
            for row in rows
        }
    values: dict[int, list[float]] = {}
    for integration_id, late in runs.annotate(late=lateness).values_list("integration_id", "late"):
        values.setdefault(integration_id, []).append(late.total_seconds())
    return {pk: _from_values(sorted(seconds)) for pk, seconds in values.items()}


def _from_values(ordered: list[float]) -> Freshness:
    """percentile_cont's linear interpolation, for databases without it (SQLite)."""

    def percentile(fraction: float) -> float:
        position = fraction * (len(ordered) - 1)
        low, high = math.floor(position), math.ceil(position)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return Freshness(percentile(0.5), percentile(0.95), len(ordered))


def add_freshness(integrations: list[Integration], now: datetime) -> None:
    """Set `freshness` (a Freshness, or None without windows) on each integration."""
    found = freshness([integration.pk for integration in integrations], now)
    for integration in integrations:
        integration.freshness = found.get(integration.pk)  # type: ignore[attr-defined]
