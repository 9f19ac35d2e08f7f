"""A log-level hour whose worker died or lost its lease: recovered, or exported again, and
published once (seed 004's manifests through the S3 stand-in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from integrations.models import Integration, State
from tests.integrations.destinations.s3.answers import missing_keys_answer_403
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, manifest_files, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _worker_died(run: ExportRun) -> None:
    """As if the worker running `run` was killed: still `running`, its lease run out."""
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.RUNNING,
        lease_expires_at=datetime(2026, 11, 22, 11, 0, tzinfo=UTC),
        rows=0,
        files=[],
    )


def _exported_hour(s3_env: str, tenant: Tenant) -> tuple[str, ExportRun]:
    """An hour of 300 events exported to a new bucket: the bucket and the run."""
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 300, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    return bucket, ExportRun.objects.get(integration=integration)


def test_a_worker_killed_after_the_manifest_leaves_one_manifest_for_the_hour(
    s3_env: str, tenant: Tenant
) -> None:
    bucket, run = _exported_hour(s3_env, tenant)
    first = (run.manifest, run.files, run.processed_on)
    # Killed between step 3's final manifest and step 4's removal of -processing, before the
    # run was recorded as succeeded.
    processing = run.manifest + "-processing"
    s3(s3_env).put_object(Bucket=bucket, Key=processing.lstrip("/"), Body=b"{}")
    _worker_died(run)
    run_exports("2026-11-22T11:41:00Z")
    files = objects(s3_env, bucket)
    assert len(manifest_files(files)) == 1
    assert not manifest_files(files, "-processing") and not manifest_files(files, "-failed")
    run.refresh_from_db()
    assert run.status == "succeeded" and (run.manifest, run.files, run.processed_on) == first
    assert run.rows == 300


def test_a_worker_killed_mid_export_is_followed_by_a_complete_export(
    s3_env: str, tenant: Tenant
) -> None:
    bucket, run = _exported_hour(s3_env, tenant)
    # Killed after the -processing manifest and some data, before the final manifest.
    client = s3(s3_env)
    final = run.manifest.lstrip("/")
    client.copy_object(Bucket=bucket, Key=final + "-processing",
                       CopySource={"Bucket": bucket, "Key": final})  # fmt: skip
    client.delete_object(Bucket=bucket, Key=final)
    _worker_died(run)
    run_exports("2026-11-22T11:41:00Z")
    files = objects(s3_env, bucket)
    assert len(manifest_files(files)) == 1 and len(manifest_files(files, ".json-failed")) == 1
    run.refresh_from_db()
    assert run.status == "succeeded" and run.manifest.lstrip("/") != final
    assert run.rows == 300


@pytest.mark.parametrize("published", [True, False])
def test_a_retried_hour_is_recovered_or_exported_where_s3_answers_missing_keys_with_403(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, published: bool
) -> None:
    """A retry first asks whether its earlier attempt's manifest exists. S3 answers a HEAD of a
    missing key with 403 to our log-level policy (its ListBucket names prefixes), which read as
    a lost grant: the hour failed for good and the export was deactivated."""
    bucket, run = _exported_hour(s3_env, tenant)
    if not published:  # killed after some data, before the final manifest
        final = run.manifest.lstrip("/")
        client = s3(s3_env)
        client.copy_object(Bucket=bucket, Key=final + "-processing",
                           CopySource={"Bucket": bucket, "Key": final})  # fmt: skip
        client.delete_object(Bucket=bucket, Key=final)
    _worker_died(run)
    missing_keys_answer_403(monkeypatch)
    run_exports("2026-11-22T11:41:00Z")
    run.refresh_from_db()
    assert run.status == "succeeded", (run.error_code, run.error_message)
    assert run.rows == 300 and len(manifest_files(objects(s3_env, bucket))) == 1
    assert Integration.objects.get(pk=run.integration_id).state == State.ACTIVE


def test_late_events_are_found_with_a_constant_number_of_queries(
    s3_env: str, tenant: Tenant
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feeds.runs.schedule import LOG_LEVEL_FEEDS, reprocess_late_events

    active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env), **AVRO)
    events(tenant, "standard_feed", 30, HOUR, HOUR + timedelta(hours=3))
    run_exports("2026-11-22T13:11:00Z")
    assert ExportRun.objects.filter(status="succeeded").count() == 3
    for hour in (HOUR, HOUR + timedelta(hours=2)):
        late, _ = next(Generator("standard_feed", 5).rows(1, hour, hour + timedelta(minutes=1)))
        store_events(tenant, "standard_feed", [(late, HOUR + timedelta(hours=3, minutes=30))])
    now = HOUR + timedelta(hours=3, minutes=40)  # the same simulated clock as run_exports
    with CaptureQueriesContext(connection) as queries:
        created = reprocess_late_events(now)
    assert created == 2 and len(queries) == len(LOG_LEVEL_FEEDS) + 1
    assert reprocess_late_events(now) == 0  # the new generations are pending: nothing twice


def test_a_worker_whose_lease_was_taken_over_publishes_nothing(
    s3_env: str, tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request hung past the lease; another worker claimed the run meanwhile. The first one
    must neither write the hour's manifest nor record the run's outcome."""
    from django.db.models import F

    from feeds import formats

    settings.EXPORT_PART_BYTES = 20_000
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 1000, HOUR, HOUR + timedelta(hours=1))
    original = formats.write_parts

    def taken_over_mid_export(*args: Any, **kwargs: Any) -> Any:
        # Another worker's claim: a new attempt, its own lease.
        ExportRun.objects.filter(integration=integration).update(attempts=F("attempts") + 1)
        return original(*args, **kwargs)

    monkeypatch.setattr("feeds.runs.hourly.hour.write_parts", taken_over_mid_export)
    run_exports("2026-11-22T11:11:00Z")
    files = objects(s3_env, bucket)
    assert not manifest_files(files) and len(manifest_files(files, ".json-failed")) == 1
    run = ExportRun.objects.get(integration=integration)
    assert run.status == "running" and run.attempts == 2  # the new owner's, untouched
