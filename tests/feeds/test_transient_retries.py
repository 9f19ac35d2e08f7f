"""Seed 004: a failure not caused by permissions "will automatically be re-tried"; only the
catch-up after a permission deactivation is limited to 3 days. An hour failing with SlowDown
for longer than that, while the export stays active, is retried until its events' retention
ends, and the page says since when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from integrations.models import Integration
from tests.integrations.destinations.s3.answers import fail_requests
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _failing_export(s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> Integration:
    """Active since HOUR, its first hour scheduled, every upload answered SlowDown (after the
    SDK's retries) from then."""
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env), **AVRO)
    events(tenant, "standard_feed", 30, HOUR, HOUR + timedelta(hours=1))
    fail_requests(monkeypatch, "PutObject", "", times=10**6)
    run_exports("2026-11-22T11:11:00Z")
    # Only that hour matters here: the schedule creates no later one (days of hourly runs).
    Integration.objects.filter(pk=integration.pk).update(
        state_changed_at=HOUR, exports_from=datetime(2027, 1, 1, tzinfo=UTC)
    )
    return integration


def _first_hour(integration: Integration) -> ExportRun:
    return ExportRun.objects.get(integration=integration, window_start=HOUR)


def test_an_hour_failing_with_slowdown_for_more_than_three_days_is_still_retried(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, admin_client: Client
) -> None:
    integration = _failing_export(s3_env, tenant, monkeypatch)
    assert (_first_hour(integration).status, _first_hour(integration).error_code) == (
        "failed", "SlowDown",
    )  # fmt: skip
    run_exports("2026-11-25T12:11:00Z")  # three days and an hour later, still refused
    run = _first_hour(integration)
    assert (run.status, run.error_code, run.attempts) == ("failed", "SlowDown", 2)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert "Retrying since 2026-11-22 11:11" in page
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.VIEWER, 'r')[1]}")
    (listed,) = api.get(f"/api/v1/integrations/{integration.pk}/runs").json()
    assert listed["retrying_since"] == "2026-11-22T11:11:00Z" and listed["next_attempt_at"]
    monkeypatch.undo()  # S3 answers again
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_env)
    run_exports("2026-11-25T14:11:00Z")
    run.refresh_from_db()
    assert (run.status, run.rows, run.error_code) == ("succeeded", 30, "")
    assert not ExportRun.objects.filter(status="skipped").exists()


def test_an_hour_failing_past_its_events_retention_is_skipped_with_the_reason(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.EVENT_RETENTION_DAYS = 4
    integration = _failing_export(s3_env, tenant, monkeypatch)
    run_exports("2026-11-26T11:11:00Z")  # four days and an hour: its events are gone
    run = _first_hour(integration)
    assert (run.status, run.error_code) == ("skipped", "RetentionLimit")
    assert run.next_attempt_at is None
