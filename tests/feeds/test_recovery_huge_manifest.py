"""A retried hour whose bucket answers the earlier attempt's manifest with gigabytes: recovery
reads at most DESTINATION_READ_MAX_BYTES of it, and the run fails with a clear error instead of
holding its worker until the memory runs out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active, events, run_exports
from tests.support.huge_bucket import GiB, huge_bucket

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
MiB = 1024 * 1024
HUGE = 4 * GiB


def test_it_fails_recovery_when_the_bucket_answers_the_manifest_with_gigabytes(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.DESTINATION_READ_MAX_BYTES = MiB
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, format="avro")
    events(tenant, "standard_feed", 50, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(integration=integration)
    assert run.status == "succeeded" and run.manifest
    # Killed after the manifest was written, before the run was recorded: a retry recovers it.
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.RUNNING,
        lease_expires_at=datetime(2026, 11, 22, 11, 0, tzinfo=UTC),
        rows=0,
        files=[],
    )
    with huge_bucket(s3_env, size=HUGE) as storage:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", storage.url)
        run_exports("2026-11-22T11:41:00Z")
    run.refresh_from_db()
    assert run.status == ExportRun.Status.FAILED and run.error_code == "ObjectTooLarge", (
        run.status,
        run.error_code,
        run.error_message,
    )
    assert "DESTINATION_READ_MAX_BYTES" in run.error_message
    assert storage.answered >= 1 and storage.sent < 64 * MiB, f"{storage.sent} bytes were sent"
