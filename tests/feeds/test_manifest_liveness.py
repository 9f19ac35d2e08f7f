"""Seed 004's step 1 renames only the -processing manifests of attempts that are dead: another
run's live manifest is left alone, so no hour ends with a `.json` beside a `.json-failed`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}
LIVE = "manifests/standard_feed-998-2026112211-20261122120100.json-processing"
DEAD = "manifests/standard_feed-998-2026112209-20261122100100.json-processing"


def _run(integration: Any, hour: datetime, **fields: Any) -> ExportRun:
    return ExportRun.objects.create(
        integration=integration, window_start=hour, window_end=hour + timedelta(hours=1), **fields
    )


def test_a_backfill_run_leaves_the_live_manifest_of_the_hour_beside_it_alone(
    s3_env: str, tenant: Tenant
) -> None:
    """Hours 10 and 11 handed out together: hour 11's worker is mid-export (its lease runs to
    12:20) when hour 10's run does step 1. Hour 9's -processing belongs to an attempt that died."""
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 20, HOUR, HOUR + timedelta(hours=1))
    _run(integration, HOUR)
    _run(
        integration,
        HOUR + timedelta(hours=1),
        status=ExportRun.Status.RUNNING,
        attempts=1,
        processed_on=datetime(2026, 11, 22, 12, 1, tzinfo=UTC),
        lease_expires_at=datetime(2026, 11, 22, 12, 20, tzinfo=UTC),
    )
    for key in (LIVE, DEAD):
        s3(s3_env).put_object(Bucket=bucket, Key=key, Body=b"{}")
    run_exports("2026-11-22T12:05:00Z")
    keys = set(objects(s3_env, bucket))
    assert LIVE in keys and LIVE.replace("-processing", "-failed") not in keys
    assert DEAD not in keys and DEAD.replace("-processing", "-failed") in keys
    assert ExportRun.objects.get(window_start=HOUR).status == "succeeded"


def test_a_live_manifest_whose_lease_ran_out_is_dead_and_its_worker_publishes_nothing(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A request hung past the lease and nobody has claimed the run yet: another run may now
    mark its manifest -failed, so the slow worker must not publish the hour after it."""
    from feeds import formats

    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 50, HOUR, HOUR + timedelta(hours=1))
    original = formats.write_parts

    def lease_runs_out(*args: Any, **kwargs: Any) -> Any:
        ExportRun.objects.filter(integration=integration).update(
            lease_expires_at=datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
        )
        return original(*args, **kwargs)

    monkeypatch.setattr("feeds.runs.hourly.hour.write_parts", lease_runs_out)
    run_exports("2026-11-22T11:11:00Z")
    keys = objects(s3_env, bucket)
    manifests = [k for k in keys if k.startswith("manifests/")]
    assert len(manifests) == 1 and manifests[0].endswith(".json-failed"), manifests
    run = ExportRun.objects.get(integration=integration)
    assert run.status == "running" and run.attempts == 1  # taken over after the lease, below
    monkeypatch.setattr("feeds.runs.hourly.hour.write_parts", original)
    run_exports("2026-11-22T11:41:00Z")
    run.refresh_from_db()
    assert run.status == "succeeded" and run.rows == 50
