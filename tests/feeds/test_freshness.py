"""Freshness: from a window's close to its file complete, p50 and p95 over 7 days of scheduled
windows, on the dashboard, the integration page and in the API (issue 21)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from feeds.pages.freshness import _from_values, freshness
from integrations.models import Integration
from integrations.templatetags.durations import duration
from tests.support.integrations import api_client, make_integration

pytestmark = pytest.mark.django_db
LATENESS = [60, 70, 80, 90, 600]  # seconds after each window closed
P50, P95 = 80.0, 90 + (600 - 90) * 0.8  # percentile_cont: linear between neighbours


def _run(integration: Integration, closed_ago: timedelta, late: float, **fields: Any) -> None:
    """A window that closed `closed_ago` before now and whose file completed `late` s later."""
    end = timezone.now() - closed_ago
    ExportRun.objects.create(
        integration=integration,
        window_start=end - timedelta(minutes=15),
        window_end=end,
        finished_at=end + timedelta(seconds=late),
        **{"status": "succeeded", **fields},
    )


def _measured(tenant: Tenant, name: str = "Clicks") -> Integration:
    integration = make_integration(tenant, "s3", "clicks", name=name, directory=f"/{name}")
    for n, late in enumerate(LATENESS):
        _run(integration, timedelta(hours=n + 1), late)
    # None of these says how fresh the schedule keeps the files:
    _run(integration, timedelta(hours=1), 86_400 - 7200, generation=1)  # a reprocessed window
    _run(integration, timedelta(hours=7), 5, status="failed")
    _run(integration, timedelta(days=8), 3)  # before the 7 days
    return integration


def test_p50_and_p95_count_only_scheduled_successful_windows_of_seven_days(tenant: Tenant) -> None:
    integration = _measured(tenant)
    other = make_integration(tenant, "s3", "conversions")
    found = freshness([integration.pk, other.pk], timezone.now())
    assert set(found) == {integration.pk}  # none for an integration without windows
    measured = found[integration.pk]
    assert measured.windows == len(LATENESS)
    assert measured.p50_seconds == pytest.approx(P50)
    assert measured.p95_seconds == pytest.approx(P95)


def test_the_python_percentiles_match_the_databases() -> None:
    computed = _from_values(sorted(float(s) for s in LATENESS))
    assert (computed.p50_seconds, computed.p95_seconds) == pytest.approx((P50, P95))
    single = _from_values([42.0])
    assert (single.p50_seconds, single.p95_seconds, single.windows) == (42.0, 42.0, 1)


def test_the_api_reports_freshness_and_null_before_the_first_window(tenant: Tenant) -> None:
    api = api_client(ApiKey.issue(tenant, Role.VIEWER, "dashboards")[1])
    integration = _measured(tenant)
    fresh = make_integration(tenant, "s3", "conversions")
    body = api.get(f"/api/v1/integrations/{integration.pk}").json()
    assert body["freshness"] == {"p50_seconds": P50, "p95_seconds": round(P95, 1), "windows": 5}
    listed = {i["id"]: i["freshness"] for i in api.get("/api/v1/integrations").json()}
    assert listed == {integration.pk: body["freshness"], fresh.pk: None}


def test_the_dashboard_shows_p95_with_one_query_for_the_page(
    tenant: Tenant, admin_client: Client
) -> None:
    for n in range(3):
        _measured(tenant, f"clicks-{n}")
    url = f"/t/{tenant.slug}/"
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = admin_client.get(url).content.decode()
    assert page.count(duration(P95)) == 3 and duration(P95) == "8 min 18 s"
    _measured(tenant, "clicks-3")
    with CaptureQueriesContext(connection) as more:
        admin_client.get(url)
    assert len(more) == len(few)


def test_the_integration_page_shows_p50_and_p95(tenant: Tenant, admin_client: Client) -> None:
    integration = _measured(tenant)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert "p50 1 min 20 s, p95 8 min 18 s (5 windows)" in page
    fresh = make_integration(tenant, "s3", "conversions")
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{fresh.pk}/").content.decode()
    assert "Freshness appears once windows have been exported." in page


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.4, "0 s"), (59.6, "1 min"), (125, "2 min 5 s"), (3600, "1 h"), (3780, "1 h 3 min")],
)
def test_durations_read_as_people_say_them(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown
