"""Raw windows' recent freshness (issue 35): the integration page and `/metrics` show the same
p50 / p95, over the scheduled raw windows completed in the last 24 hours."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.models import Integration, State
from integrations.templatetags.durations import duration
from tests.support.integrations import make_integration
from tests.support.metrics import TOKEN, figures, value

pytestmark = pytest.mark.django_db
LATENESS = [2.0, 3.0, 4.0, 5.0, 9.0]  # seconds after each window closed
P50, P95 = 4.0, 5 + (9 - 5) * 0.8  # percentile_cont: linear between neighbours


def _run(integration: Integration, closed_ago: timedelta, late: float, **fields: Any) -> None:
    end = timezone.now() - closed_ago
    ExportRun.objects.create(
        integration=integration,
        window_start=end - timedelta(minutes=15),
        window_end=end,
        finished_at=end + timedelta(seconds=late),
        **{"status": "succeeded", **fields},
    )


def test_the_page_and_metrics_show_the_same_recent_raw_freshness(
    tenant: Tenant, admin_client: Client, settings: Any
) -> None:
    settings.METRICS_TOKEN = TOKEN
    clicks = make_integration(tenant, "s3", "clicks", name="Clicks", directory="/clicks")
    Integration.objects.filter(pk=clicks.pk).update(state=State.ACTIVE)
    for n, late in enumerate(LATENESS):
        _run(clicks, timedelta(minutes=15 * (n + 1)), late)
    _run(clicks, timedelta(hours=25), 600)  # completed more than 24 hours ago: not recent
    hours = make_integration(tenant, "s3", "standard_feed", name="Hours")
    Integration.objects.filter(pk=hours.pk).update(state=State.ACTIVE)
    _run(hours, timedelta(hours=1), 700)  # a log-level hour: not a raw window
    found = figures(Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}"))
    name = "exporthub_raw_freshness_seconds"
    assert value(found, name, integration=str(clicks.pk), quantile="0.5") == pytest.approx(P50)
    assert value(found, name, integration=str(clicks.pk), quantile="0.95") == pytest.approx(P95)
    assert value(found, "exporthub_raw_freshness_windows", integration=str(clicks.pk)) == 5
    assert not [key for key in found if key[0] == name and ("integration", str(hours.pk)) in key[1]]
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{clicks.pk}/").content.decode()
    assert f"Last 24 hours: p50 {duration(P50)}, p95 {duration(P95)} (5 windows)." in page, page[
        page.find('id="freshness"') :
    ][:400]
