"""The dashboard: last export, next run and recent failures, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.models import Integration, State
from tests.support.integrations import make_integration

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_it_shows_last_export_next_run_and_failures(admin_client: Client, tenant: Tenant) -> None:
    integration: Any = make_integration(tenant, "s3", "clicks", name="Clicks export")
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    window = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    ExportRun.objects.create(
        integration=integration,
        window_start=window,
        window_end=window + timedelta(minutes=15),
        status="succeeded",
    )
    ExportRun.objects.create(
        integration=integration,
        window_start=window + timedelta(minutes=15),
        window_end=window + timedelta(minutes=30),
        status="failed",
        finished_at=timezone.now(),
    )
    page = admin_client.get(f"/t/{tenant.slug}/").content.decode()
    assert f"{window:%Y-%m-%d %H:%M} UTC" in page
    assert '<span class="badge run-failed">1</span>' in page
    assert "after Verify" not in page


def test_its_query_count_does_not_grow_with_integrations(
    admin_client: Client, tenant: Tenant
) -> None:
    make_integration(tenant, "s3", "clicks", name="one", directory="/a")
    _queries(
        admin_client, f"/t/{tenant.slug}/"
    )  # the first visit also records the tenant in the session
    few = _queries(admin_client, f"/t/{tenant.slug}/")
    for index in range(5):
        make_integration(tenant, "s3", "clicks", name=f"more {index}", directory=f"/b{index}")
    assert _queries(admin_client, f"/t/{tenant.slug}/") == few


def test_it_pages_many_integrations_with_the_same_queries(
    admin_client: Client, tenant: Tenant
) -> None:
    template = make_integration(tenant, "s3", "clicks")
    clones = []
    for i in range(54):
        clone = Integration.objects.get(pk=template.pk)
        clone.pk, clone.name, clone.destination_key = None, f"clicks {i:02d}", f"key-{i}"
        clones.append(clone)
    Integration.objects.bulk_create(clones)
    url = f"/t/{tenant.slug}/"
    first = admin_client.get(url).content.decode()
    second = admin_client.get(url + "?page=2").content.decode()
    assert "Page 1 of 2" in first and first.count('class="badge state-') == 50
    assert second.count('class="badge state-') == 5
    assert _queries(admin_client, url) == _queries(admin_client, url + "?page=2")


def test_it_shows_each_active_integrations_next_window_and_when_its_file_is_due(
    admin_client: Client, tenant: Tenant
) -> None:
    integration: Any = make_integration(tenant, "s3", "clicks", name="Clicks export")
    # Activated ahead of the real clock at a fixed time of day: its first window is fixed too.
    activated = (timezone.now() + timedelta(days=2)).replace(hour=15, minute=59, second=0)
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE, exports_from=activated)
    page = admin_client.get(f"/t/{tenant.slug}/").content.decode()
    assert "16:00\u201316:15, file about 16:15 UTC" in page  # seconds after it closes


def test_an_empty_dashboard_names_every_registered_cloud(
    admin_client: Client, tenant: Tenant
) -> None:
    from integrations.destinations import REGISTRY

    page = admin_client.get(f"/t/{tenant.slug}/").content.decode()
    assert "No integrations yet" in page
    for cls in REGISTRY.values():
        assert f"{cls.label} {cls.container_label}" in page
