"""The feed-side pieces of the integration pages (registered in FeedsConfig.ready()): the
dashboard's figures of each integration, and the detail page's run history with its charts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from integrations.models import Integration, State
from integrations.web.pages import Figures, Section

from ..models import ExportRun
from ..runs import clock
from ..runs.on_demand import backfills
from ..runs.windows import next_due
from .charts import hourly_charts
from .freshness import Freshness, add_freshness, freshness, recent_raw
from .next_file import next_file

RUNS_PER_PAGE = 25


def annotate_figures(integrations: QuerySet[Integration], now: datetime) -> QuerySet[Integration]:
    """Each row's last success and failures in 24 h come from index lookups, not a GROUP BY
    over every run, so the page costs the same with 10 or 100 000 runs."""
    runs = ExportRun.objects.filter(integration=OuterRef("pk"))
    last_success = runs.filter(status=ExportRun.Status.SUCCEEDED).order_by("-window_start")
    failures = (
        runs.filter(status=ExportRun.Status.FAILED, finished_at__gte=now - timedelta(days=1))
        .values("integration")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return integrations.annotate(
        last_success=Subquery(last_success.values("window_start")[:1]),
        failures_24h=Coalesce(Subquery(failures), 0),
    )


def complete_figures(integrations: list[Integration], now: datetime) -> None:
    """The next file and run (no query) and the freshness over 7 days (one query for all)."""
    for integration in integrations:
        active = integration.state == State.ACTIVE
        integration.next_run = next_due(integration.feed, now) if active else None  # type: ignore[attr-defined]
        integration.next_file = next_file(integration, now)  # type: ignore[attr-defined]
    add_freshness(integrations, now)


def figures_json(integration: Integration) -> dict[str, Any]:
    found: Freshness | None = integration.freshness  # type: ignore[attr-defined]
    return {"freshness": found.as_json() if found else None}


def run_history(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    """The run ledger, newest first, by status, 25 per page; and its charts."""
    runs = integration.runs.all()
    status = request.GET.get("status", "")
    if status in ExportRun.Status.values:
        runs = runs.filter(status=status)
    now = timezone.now()
    rows_chart, bytes_chart = hourly_charts(integration.pk, now)
    return {
        "freshness": freshness([integration.pk], now).get(integration.pk),
        "recent_freshness": recent_raw(now, integration.pk).get(integration.pk),
        "runs": Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page")),
        "run_status": status,
        "run_statuses": ExportRun.Status.choices,
        "rows_chart": rows_chart,
        "bytes_chart": bytes_chart,
    }


def backfill_section(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    """The last backfills with their progress, and the range a new one may ask for."""
    earliest, latest = backfills.limits(integration.feed, clock.now())
    return {
        "backfills": backfills.progress_of(list(integration.backfills.all()[:5])),
        "backfill_earliest": earliest,
        "backfill_latest": latest,
        "retention_days": settings.EVENT_RETENTION_DAYS,
    }


def next_file_section(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    """The window whose file comes next and when (feeds.pages.next_file)."""
    return {"next_file": next_file(integration, clock.now())}


FIGURES = Figures(annotate=annotate_figures, complete=complete_figures, as_json=figures_json)
RUN_HISTORY = Section("feeds/run_history.html", run_history)
BACKFILL = Section("feeds/backfill.html", backfill_section)
NEXT_FILE = Section("feeds/next_file.html", next_file_section)
