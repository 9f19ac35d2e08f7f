"""A slice worker stalled inside a part's upload (not dead) past its lease: the slice is taken
over and the hour published by another worker, then the stalled upload completes. Its part must
not stay beside the published parts: the manifest is the list of what the hour's folder holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun, ExportSlice
from feeds.runs import clock
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports, valid_manifest

# Committed for real: the SDK sends a part from its transfer thread, where the stalled
# request's `meanwhile` (another worker) runs on a database connection of its own.
pytestmark = pytest.mark.django_db(transaction=True)
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AFTER = HOUR + timedelta(hours=1, minutes=11)
TAKEN_OVER = AFTER + timedelta(minutes=17)  # past the slice's 15-minute lease
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _stall_first_part_while(monkeypatch: pytest.MonkeyPatch, meanwhile: Any) -> list[str]:
    """The first data part's upload waits at the SDK's edge, before its request is sent, while
    `meanwhile` runs; then it goes through. The keys stalled."""
    from botocore.client import BaseClient

    call = BaseClient._make_api_call
    stalled: list[str] = []

    def stalling(client: Any, operation: str, params: dict[str, Any]) -> Any:
        key = str(params.get("Key", ""))
        if operation == "PutObject" and key.startswith("feeds/") and not stalled:
            stalled.append(key)
            meanwhile()
        return call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", stalling)
    return stalled


def test_a_part_a_stalled_worker_uploads_after_its_slice_was_taken_over_lands_in_no_folder(
    s3_env: str, tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EXPORT_SLICE_ROWS = 100
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 200, HOUR, HOUR + timedelta(hours=1))

    def another_worker_takes_over() -> None:
        try:
            with clock.simulated(TAKEN_OVER):
                run_exports(TAKEN_OVER.isoformat())
            assert ExportRun.objects.get(integration=integration).status == "succeeded"
        finally:
            connection.close()  # this thread's own

    stalled = _stall_first_part_while(monkeypatch, another_worker_takes_over)
    run_exports(AFTER.isoformat())
    assert len(stalled) == 1
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows) == ("succeeded", 200), (run.error_code, run.error_message)
    assert ExportSlice.objects.get(run=run, number=0).claims == 2
    files = objects(s3_env, bucket)
    (body,) = [v for k, v in files.items() if k.startswith("manifests/") and k.endswith(".json")]
    manifest = valid_manifest(body)
    folder = manifest["path"].lstrip("/") + "/"
    listed = {folder + entry["name"] for entry in manifest["files"]}
    beside = sorted(k for k in files if k.startswith(folder) and k not in listed)
    assert beside == [], beside
    assert not [k for k in files if k.endswith(("-processing", "-failed"))]


def test_the_publisher_removes_a_part_of_its_seat_that_no_slice_lists_and_nothing_else(
    s3_env: str, tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part that landed in the hour's folder unannounced (its worker died after its upload
    completed and after the takeover removed what it had announced), and another seat's file
    (seats may share a resolved Feed path): the first goes before the hour is published."""
    settings.EXPORT_SLICE_ROWS = 100
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 200, HOUR, HOUR + timedelta(hours=1))
    folder: list[str] = []
    stray, other_seat = f"998-9-{'a' * 32}-998", f"1234-0-{'b' * 32}-1234"

    def a_dead_workers_part_lands() -> None:
        (key,) = stalled
        folder.append(key.rsplit("/", 1)[0])
        for name in (stray, other_seat):
            s3(s3_env).put_object(Bucket=bucket, Key=f"{folder[0]}/{name}", Body=b"x")

    stalled = _stall_first_part_while(monkeypatch, a_dead_workers_part_lands)
    run_exports(AFTER.isoformat())
    assert ExportRun.objects.get().status == "succeeded"
    keys = set(objects(s3_env, bucket))
    assert f"{folder[0]}/{stray}" not in keys and f"{folder[0]}/{other_seat}" in keys
