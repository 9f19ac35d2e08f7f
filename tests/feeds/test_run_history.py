"""The integration page's run history: charts, status filter, pagination, live progress."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.pages.charts import HOURS, hourly_charts
from feeds.runs.progress import RowCounter
from integrations.models import Integration
from tests.support.integrations import make_integration

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 22, 10, 20, tzinfo=UTC)
HOUR = NOW.replace(minute=0)


def _run(
    integration: Integration, start: datetime, status: str = "succeeded", **fields: Any
) -> ExportRun:
    return ExportRun.objects.create(
        integration=integration,
        window_start=start,
        window_end=start + timedelta(minutes=15),
        status=status,
        **fields,
    )


def test_charts_sum_successful_runs_per_hour_over_seven_days(tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    _run(integration, HOUR, rows=10, bytes=100)
    _run(integration, HOUR + timedelta(minutes=15), rows=5, bytes=50)
    _run(integration, HOUR - timedelta(hours=3), rows=7, bytes=70)
    _run(integration, HOUR - timedelta(hours=2), "failed", rows=99, bytes=990)
    _run(integration, HOUR - timedelta(days=8), rows=1000, bytes=1)  # older than the chart
    rows, size = hourly_charts(integration.pk, NOW)
    assert len(rows.bars) == HOURS and rows.bars[-1].hour == HOUR
    assert rows.total == 22 and rows.peak == 15 and size.total == 220
    assert [b.value for b in rows.bars[-4:]] == [7, 0, 0, 15]
    assert rows.bars[-1].height == rows.height and rows.bars[-4].y > 0
    assert len(rows.days) == 7


def test_the_page_filters_by_status_and_paginates(tenant: Tenant, admin_client: Client) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    for i in range(30):
        _run(integration, HOUR - timedelta(minutes=15 * i), rows=i)
    _run(integration, HOUR - timedelta(days=2), "failed", error_code="SlowDown")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    with mock.patch("feeds.pages.sections.timezone.now", return_value=NOW):
        first = admin_client.get(url).content.decode()
        second = admin_client.get(url + "?page=2").content.decode()
        failed = admin_client.get(url + "?status=failed").content.decode()
        none = admin_client.get(url + "?status=skipped").content.decode()
    assert "Page 1 of 2" in first and first.count('class="badge run-') == 25
    assert second.count('class="badge run-') == 6
    assert failed.count('class="badge run-') == 1 and "SlowDown" in failed
    assert "No skipped exports" in none
    assert "<svg" in first and "435 in all" in first  # 0+1+…+29 rows exported


def test_page_queries_do_not_grow_with_runs(tenant: Tenant, admin_client: Client) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    for i in range(5):
        _run(integration, HOUR - timedelta(hours=i), rows=1)
    queries()  # the first visit also stores the tenant in the session
    few = queries()
    for i in range(5, 60):
        _run(integration, HOUR - timedelta(hours=i), rows=1)
    assert queries() == few


def test_a_running_export_reports_its_row_count(tenant: Tenant, viewer_client: Client) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    run = _run(integration, HOUR, "running")
    progress = RowCounter(run.pk, interval=0)
    assert sum(1 for _ in progress.count(range(10_000))) == 10_000
    run.refresh_from_db()
    assert run.rows == 10_000
    page = viewer_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert re.search(rf'data-running-run="{run.pk}"[^>]*>10,000 so far', page)
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/runs/progress.json"
    assert viewer_client.get(url).json() == {"running": [{"id": run.pk, "rows": 10_000}]}
    # A finished run is not overwritten by a late progress report.
    ExportRun.objects.filter(pk=run.pk).update(status="succeeded", rows=12_000)
    progress.add(1)
    run.refresh_from_db()
    assert run.rows == 12_000
    assert viewer_client.get(url).json() == {"running": []}


def test_progress_of_another_tenant_is_404(
    tenant: Tenant, other_tenant: Tenant, outsider_client: Client
) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    url = f"/t/{other_tenant.slug}/integrations/{integration.pk}/runs/progress.json"
    assert outsider_client.get(url).status_code == 404
    assert (
        outsider_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").status_code == 404
    )
