"""`run_exports --now` does everything the schedule would do at that instant, on that instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports, valid_manifest

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def test_events_received_after_the_simulated_now_wait_for_a_later_tick_and_go_out_once(
    s3_env: str, tenant: Tenant
) -> None:
    """Events of hour 10 received at 11:30 are after a tick at 11:11: they are not in its file,
    the tick at 12:11 exports them once as a new generation, and later ticks find nothing."""
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 40, HOUR, HOUR + timedelta(hours=1))
    received = HOUR + timedelta(hours=1, minutes=30)
    late = Generator("standard_feed", 11).rows(7, HOUR, HOUR + timedelta(minutes=5))
    store_events(tenant, "standard_feed", [(row, received) for row, _ in late])
    run_exports("2026-11-22T11:11:00Z")
    first = ExportRun.objects.get(integration=integration, window_start=HOUR)
    assert first.rows == 40
    assert first.data_cutoff == datetime(2026, 11, 22, 11, 11, tzinfo=UTC)
    assert f"{first.processed_on:%Y%m%d%H%M}" == "202611221111"
    for tick in ("2026-11-22T12:11:00Z", "2026-11-22T13:11:00Z", "2026-11-22T14:11:00Z"):
        run_exports(tick)
    hour_runs = ExportRun.objects.filter(integration=integration, window_start=HOUR)
    assert sorted((r.generation, r.rows) for r in hour_runs) == [(0, 40), (1, 47)]
    manifests = [
        valid_manifest(body)
        for key, body in objects(s3_env, bucket).items()
        if key.startswith("manifests/standard_feed-998-2026112210-") and key.endswith(".json")
    ]
    assert len(manifests) == 2


def test_run_exports_archives_what_is_thirty_days_old_at_its_instant(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    # Nothing due before 2027, so the runs below only archive.
    active(tenant, "s3", "standard_feed", datetime(2027, 1, 1, tzinfo=UTC), bucket=bucket, **AVRO)
    name = "manifests/standard_feed-998-2026112210-20261122111100.json"
    s3(s3_env).put_object(Bucket=bucket, Key=name, Body=b"{}")
    run_exports("2026-12-20T11:11:00Z")  # 28 days on: not old enough yet
    assert name in objects(s3_env, bucket)
    out = run_exports("2026-12-22T11:11:00Z")
    keys = set(objects(s3_env, bucket))
    assert name not in keys and name.replace("manifests/", "manifests/archive/") in keys
    assert "1 manifest(s) archived" in out
