"""Reprocessing only adds a generation of an hour the schedule exported: never a future hour,
never a raw window, never an hour of an export that is not active."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from feeds.runs import clock
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


@pytest.fixture
def api(tenant: Tenant) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'ci')[1]}")


@pytest.fixture
def at_13_05() -> Iterator[datetime]:
    """The web requests below happen at 13:05 on the day the tests' hours belong to."""
    instant = HOUR + timedelta(hours=3, minutes=5)
    with clock.simulated(instant):
        yield instant


def _reprocess(api: Client, integration: Integration, hour: str) -> Any:
    return api.post(
        f"/api/v1/integrations/{integration.pk}/reprocess",
        {"hour": hour},
        content_type="application/json",
    )


def _exported_log_level(s3_env: str, tenant: Tenant) -> Integration:
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env), **AVRO)
    events(tenant, "standard_feed", 10, HOUR, HOUR + timedelta(hours=3))
    run_exports("2026-11-22T13:11:00Z")
    return integration


def test_a_future_hour_is_refused_and_the_schedule_leaves_no_gap(
    s3_env: str, tenant: Tenant, api: Client, at_13_05: datetime
) -> None:
    integration = _exported_log_level(s3_env, tenant)
    response = _reprocess(api, integration, "2026-11-22T20:00:00Z")
    assert response.status_code == 400
    assert "has not closed" in response.json()["hour"][0]
    for tick in ("2026-11-22T14:11:00Z", "2026-11-22T15:11:00Z", "2026-11-22T16:11:00Z"):
        run_exports(tick)
    hours = ExportRun.objects.filter(integration=integration, generation=0)
    assert sorted(run.window_start.hour for run in hours) == list(range(10, 16))
    assert not ExportRun.objects.filter(integration=integration, generation__gt=0).exists()


def test_the_hour_just_closed_is_accepted_and_the_current_one_refused(
    s3_env: str, tenant: Tenant, api: Client, at_13_05: datetime
) -> None:
    integration = _exported_log_level(s3_env, tenant)
    response = _reprocess(api, integration, "2026-11-22T12:30:00Z")  # hour 12 closed at 13:00
    assert response.status_code == 202 and response.json()["window_start"].startswith(
        "2026-11-22T12:00"
    )
    response = _reprocess(api, integration, "2026-11-22T13:00:00Z")
    assert response.status_code == 400 and "has not closed" in response.json()["hour"][0]


@pytest.mark.parametrize(
    ("hour", "reason"),
    [
        ("2026-11-22T09:00:00Z", "before this export's first hour"),
        ("9999-12-31T23:50:00Z", "has not closed"),
        ("2026-11-22T10:00:00Z", "already waiting or running"),  # asked for twice, below
    ],
)
def test_hours_outside_what_was_exported_are_a_400_that_says_why(
    s3_env: str, tenant: Tenant, api: Client, at_13_05: datetime, hour: str, reason: str
) -> None:
    integration = _exported_log_level(s3_env, tenant)
    if reason.startswith("already"):
        assert _reprocess(api, integration, hour).status_code == 202
    response = _reprocess(api, integration, hour)
    assert response.status_code == 400, response.content
    assert reason in response.json()["hour"][0]


@pytest.mark.parametrize("state", [State.NEW, State.DEACTIVATED])
def test_an_export_that_is_not_active_reprocesses_nothing(
    s3_env: str, tenant: Tenant, api: Client, at_13_05: datetime, state: str
) -> None:
    integration = _exported_log_level(s3_env, tenant)
    Integration.objects.filter(pk=integration.pk).update(state=state)
    response = _reprocess(api, integration, "2026-11-22T10:00:00Z")
    assert response.status_code == 400 and "verify it first" in response.json()["hour"][0]
    assert ExportRun.objects.filter(integration=integration).count() == 3


def test_a_delivered_raw_window_is_never_rewritten(
    s3_env: str, tenant: Tenant, api: Client, at_13_05: datetime
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", HOUR, bucket=bucket)
    events(tenant, "clicks", 10, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    delivered = objects(s3_env, bucket)
    response = _reprocess(api, integration, "2026-11-22T10:00:00Z")
    assert response.status_code == 400
    assert "only log-level hours" in response.json()["hour"][0]
    with pytest.raises(CommandError, match="only log-level hours"):
        call_command("reprocess", f"--integration={integration.pk}", "--hour=2026-11-22T10:00Z")
    assert objects(s3_env, bucket) == delivered
    assert ExportRun.objects.filter(integration=integration).count() == 1


def test_the_page_honours_an_offset_given_with_the_hour(
    s3_env: str,
    tenant: Tenant,
    admin_client: Client,
    at_13_05: datetime,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    integration = _exported_log_level(s3_env, tenant)
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/reprocess/"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {"hour": "2026-11-22T13:00+02:00"}, follow=True)
    assert "Reprocessing 2026-11-22 11:00 UTC" in response.content.decode()
    response = admin_client.post(url, {"hour": "2026-11-22T18:00"}, follow=True)
    assert "Not reprocessed: That hour has not closed yet" in response.content.decode()
