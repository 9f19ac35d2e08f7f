"""Seed 004's suffixes are exclusive: once an attempt's final `.json` exists, its -processing
manifest is only ever deleted, never renamed -failed. Consumers purge by these suffixes, so a
`.json` beside its own `-failed` would have them delete a complete hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from tests.integrations.destinations.s3.answers import WorkerKilled, fail_requests
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _manifests(bucket_objects: dict[str, bytes]) -> list[str]:
    return sorted(key for key in bucket_objects if key.startswith("manifests/"))


def _beside_failed(keys: list[str]) -> list[str]:
    """Final manifests with a -failed of the same name."""
    return [key for key in keys if key.endswith(".json") and key + "-failed" in keys]


def test_it_deletes_not_fails_a_processing_manifest_whose_worker_died_after_the_final_json(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hour 10's worker is killed after writing its `.json`, before deleting -processing. Once
    its lease ran out, another run of the integration (hour 9, handed out later) does step 1
    first and finds the leftover -processing."""
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 40, HOUR - timedelta(hours=1), HOUR + timedelta(hours=1))
    killed = fail_requests(monkeypatch, "DeleteObject", ".json-processing", kill=True)
    with pytest.raises(WorkerKilled):
        run_exports("2026-11-22T11:11:00Z")
    assert len(killed) == 1
    ExportRun.objects.create(
        integration=integration, window_start=HOUR - timedelta(hours=1), window_end=HOUR
    )
    run_exports("2026-11-22T11:41:00Z")  # hour 10's lease ended at 11:26
    keys = _manifests(objects(s3_env, bucket))
    assert _beside_failed(keys) == [], keys
    assert [k for k in keys if not k.endswith(".json")] == [], keys
    assert set(ExportRun.objects.values_list("status", flat=True)) == {"succeeded"}


@pytest.mark.parametrize("sliced", [False, True])
def test_it_never_fails_a_published_hour_whose_processing_manifest_could_not_be_deleted(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any, sliced: bool
) -> None:
    """S3 refuses the deletion of -processing (SlowDown, after the SDK's retries) right after
    the final `.json` was written; the retry adopts that `.json` and deletes -processing. Sliced:
    the worker that finished the last of the hour's slices is the one publishing it."""
    settings.EXPORT_SLICE_ROWS = 15 if sliced else 0
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 40, HOUR, HOUR + timedelta(hours=1))
    refused = fail_requests(monkeypatch, "DeleteObject", ".json-processing")
    run_exports("2026-11-22T11:11:00Z")
    assert len(refused) == 1
    run = ExportRun.objects.get()
    assert (run.status, run.error_code) == ("failed", "SlowDown")
    run_exports("2026-11-22T11:41:00Z")
    keys = _manifests(objects(s3_env, bucket))
    assert _beside_failed(keys) == [], keys
    assert len(keys) == 1 and keys[0].endswith(".json"), keys
    run.refresh_from_db()
    assert (run.status, run.rows, run.manifest) == ("succeeded", 40, keys[0])
    assert run.slices.exists() is sliced
