"""Log-level feeds end to end: seed 004's manifests, paths, parts, failures and reprocessing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.runs import clock, manifests
from feeds.schema.columns import COLUMNS
from integrations.destinations import REGISTRY
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.clouds import live_destination
from tests.support.exports import (
    active,
    events,
    manifest_files,
    refuse_final_manifests,
    run_exports,
    valid_manifest,
)

from .readers import read_avro

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def test_it_writes_data_and_a_manifest_exactly_as_seed_004(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    sent = events(tenant, "standard_feed", 800, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    files = objects(s3_env, bucket)
    ((name, body),) = manifest_files(files).items()
    manifest = valid_manifest(body)
    assert name.startswith("manifests/standard_feed-998-2026112210-") and name.endswith(".json")
    timestamp = manifest["processed_on"]
    assert name == f"manifests/standard_feed-998-2026112210-{timestamp}.json"
    assert manifest["path"] == f"/feeds/standard_feed/2026/11/22/10/{timestamp}"
    assert manifest["hour"] == "2026-11-22 10:00:00" and manifest["seat_id"] == 998
    assert manifest["feed_properties"] == {
        "compression_type": "DEFLATE",
        "container_format": "AVRO",
        "data_format": "avro",
        "checksum_type": "MD5",
    }
    records: list[dict[str, Any]] = []
    for number, entry in enumerate(manifest["files"]):
        data = files[f"feeds/standard_feed/2026/11/22/10/{timestamp}/{entry['name']}"]
        assert entry["checksum"] == hashlib.md5(data).hexdigest()
        assert entry["name"] == f"998-{number}-{entry['checksum']}-998"
        records += read_avro(data)
    names = [c.name for c in COLUMNS["standard_feed"]]
    assert sorted(tuple(r[n] for n in names) for r in records) == sorted(sent)
    assert not manifest_files(files, "-processing") and not manifest_files(files, "-failed")


def test_large_hours_are_split_into_parts(s3_env: str, tenant: Tenant, settings: Any) -> None:
    settings.EXPORT_PART_BYTES = 50_000
    bucket = new_bucket(s3_env)
    active(
        tenant,
        "s3",
        "standard_feed",
        HOUR,
        bucket=bucket,
        format="protobuf-delimited",
        compression="GZIP",
    )
    # ISA-L's deflate emits its output a few hundred kilobytes at a time, so a part of this
    # tiny limit takes two batches of 1 000 rows before its compressed bytes pass the limit.
    events(tenant, "standard_feed", 6000, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    manifest = valid_manifest(next(iter(manifest_files(objects(s3_env, bucket)).values())))
    assert len(manifest["files"]) >= 3
    assert [f["name"].split("-")[1] for f in manifest["files"]] == [
        str(i) for i in range(len(manifest["files"]))
    ]


def test_a_stale_processing_manifest_becomes_failed(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    stale = "manifests/standard_feed-998-2026112209-20261122091500.json-processing"
    s3(s3_env).put_object(Bucket=bucket, Key=stale, Body=b"{}")
    run_exports("2026-11-22T11:11:00Z")
    files = objects(s3_env, bucket)
    assert stale not in files
    assert "manifests/standard_feed-998-2026112209-20261122091500.json-failed" in files


def test_a_run_failing_after_the_data_leaves_a_failed_manifest(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 100, HOUR, HOUR + timedelta(hours=1))
    original = manifests.put
    refuse_final_manifests(monkeypatch)
    run_exports("2026-11-22T11:11:00Z")
    files = objects(s3_env, bucket)
    assert len(manifest_files(files, ".json-failed")) == 1 and not manifest_files(files)
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.error_code) == ("failed", "SlowDown") and run.next_attempt_at
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE  # transient: retried, not deactivated
    monkeypatch.setattr(manifests, "put", original)
    ExportRun.objects.filter(pk=run.pk).update(next_attempt_at=None)
    run_exports("2026-11-22T11:20:00Z")
    files = objects(s3_env, bucket)
    assert len(manifest_files(files)) == 1 and len(manifest_files(files, ".json-failed")) == 1


def test_lost_access_deactivates_once_with_one_email_then_backfills_three_days(
    s3_env: str, tenant: Tenant, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    client = s3(s3_env)
    client.delete_bucket(Bucket=bucket)
    run_exports("2026-11-22T12:11:00Z", django_capture_on_commit_callbacks)
    integration.refresh_from_db()
    assert integration.state == State.DEACTIVATED
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["data@acme.example", "ops@acme.example"]
    assert "NoSuchBucket" in email.body and "Bucket reachable" in email.body
    assert f"/t/{tenant.slug}/integrations/{integration.pk}/" in email.body
    assert "NoSuchBucket" in str(email.alternatives[0][0])  # type: ignore[attr-defined]
    run_exports("2026-11-22T13:11:00Z", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # no further runs, no second email
    assert not ExportRun.objects.filter(status="succeeded").exists()

    # Five days later the admin fixes the bucket and verifies again: at most 3 days come back.
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    call_command("verify_integration", str(integration.pk))
    run_exports("2026-11-27T12:11:00Z", django_capture_on_commit_callbacks)
    runs = ExportRun.objects.filter(integration=integration)
    exported = runs.filter(status="succeeded")
    oldest = min(r.window_start for r in exported)
    assert oldest >= datetime(2026, 11, 24, 11, tzinfo=UTC)
    assert runs.filter(status="skipped").exists()
    assert exported.count() == len(manifest_files(objects(s3_env, bucket)))
    assert len(mail.outbox) == 1


def test_reprocessing_writes_a_new_run_and_overwrites_nothing(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 100, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    before = objects(s3_env, bucket)
    with clock.simulated(HOUR + timedelta(hours=1, minutes=20)):
        call_command("reprocess", f"--integration={integration.pk}", "--hour=2026-11-22T10:00Z")
    after = objects(s3_env, bucket)
    assert all(after[key] == value for key, value in before.items())  # nothing overwritten
    assert len(manifest_files(after)) == 2
    paths = {valid_manifest(body)["path"] for body in manifest_files(after).values()}
    assert len(paths) == 2


def test_late_events_for_an_exported_hour_trigger_reprocessing(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 100, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    late_row, _ = next(Generator("standard_feed", 5).rows(1, HOUR, HOUR + timedelta(minutes=1)))
    store_events(tenant, "standard_feed", [(late_row, HOUR + timedelta(hours=1, minutes=30))])
    run_exports("2026-11-22T12:11:00Z")
    hour_runs = ExportRun.objects.filter(
        integration=integration, window_start=HOUR, status="succeeded"
    )
    assert sorted(r.generation for r in hour_runs) == [0, 1]
    assert max(hour_runs, key=lambda r: r.generation).rows == 101


@pytest.mark.parametrize("destination", list(REGISTRY))
def test_it_exports_the_same_way_to_every_cloud(
    destination: str, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    fields, read_back = live_destination(destination, request)
    integration = active(tenant, destination, "standard_feed", HOUR, **fields, **AVRO)
    events(tenant, "standard_feed", 200, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows) == ("succeeded", 200), run.error_message
    assert any(
        n.startswith("manifests/standard_feed-998-2026112210-") and n.endswith(".json")
        for n in read_back()
    )


def test_the_runs_api_lists_windows_files_and_errors(
    s3_env: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", HOUR, bucket=bucket)
    events(tenant, "clicks", 30, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.VIEWER, 'r')[1]}")
    body = api.get(f"/api/v1/integrations/{integration.pk}/runs").json()
    assert len(body) == 1
    run = body[0]
    assert {
        "window_start",
        "window_end",
        "processed_on",
        "status",
        "rows",
        "files",
        "error",
    } <= set(run)
    assert run["status"] == "succeeded" and run["rows"] == 30 and run["error"] is None
    assert set(run["files"][0]) == {"name", "bytes", "md5"}
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(other_tenant, Role.ADMIN, 'o')[1]}")
    assert outsider.get(f"/api/v1/integrations/{integration.pk}/runs").status_code == 404
    assert (
        json.loads(api.get(f"/api/v1/integrations/{integration.pk}/runs?status=failed").content)
        == []
    )
    assert Integration.objects.get().state == State.ACTIVE


def test_admins_can_reprocess_an_hour_through_the_api(
    s3_env: str,
    tenant: Tenant,
    other_tenant: Tenant,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env), **AVRO)
    events(tenant, "standard_feed", 10, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    url = f"/api/v1/integrations/{integration.pk}/reprocess"
    admin = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'a')[1]}")
    viewer = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.VIEWER, 'v')[1]}")
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(other_tenant, Role.ADMIN, 'o')[1]}")
    body = json.dumps({"hour": "2026-11-22T10:00:00Z"})
    assert viewer.post(url, body, content_type="application/json").status_code == 403
    assert outsider.post(url, body, content_type="application/json").status_code == 404
    assert admin.post(url, "{}", content_type="application/json").status_code == 400
    with (
        clock.simulated(HOUR + timedelta(hours=1, minutes=20)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin.post(url, body, content_type="application/json")
    assert response.status_code == 202
    runs = ExportRun.objects.filter(integration=integration, window_start=HOUR).order_by(
        "generation"
    )
    assert [(r.generation, r.status, r.rows) for r in runs] == [
        (0, "succeeded", 10),
        (1, "succeeded", 10),
    ]
