"""`/metrics` (Prometheus) and the scheduler's health: off without METRICS_TOKEN, a bearer token
otherwise, counters that move with real exports, ingestion and Verify, figures the database
holds, and every process's counters summed in multiprocess mode (issue 21)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import SchedulerTick
from feeds.tasks import schedule_exports
from integrations.verify.runs import run_verification, start_verification
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.events import click as _click
from tests.support.exports import active, events, run_exports
from tests.support.integrations import api_client, make_integration
from tests.support.metrics import TOKEN, figures, value

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def scrape(settings: object) -> Client:
    settings.METRICS_TOKEN = TOKEN  # type: ignore[attr-defined]
    return Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")


def test_metrics_are_off_without_a_token(client: Client, settings: object) -> None:
    settings.METRICS_TOKEN = ""  # type: ignore[attr-defined]
    assert client.get("/metrics").status_code == 404


@pytest.mark.parametrize("header", ["", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_metrics_answer_only_the_bearer_token(scrape: Client, header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/metrics")
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert TOKEN not in response.content.decode()


def test_counters_move_with_a_real_export(s3_env: str, tenant: Tenant, scrape: Client) -> None:
    before = figures(scrape)
    active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    sent = events(tenant, "clicks", 300, T0, T0 + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:30Z")
    after = figures(scrape)
    where = {"feed": "clicks", "destination": "s3"}
    runs = "exporthub_export_runs_total"
    assert (
        value(after, runs, status="succeeded", **where)
        - value(before, runs, status="succeeded", **where)
        == 1
    )
    rows = "exporthub_exported_rows_total"
    assert value(after, rows, **where) - value(before, rows, **where) == len(sent)
    assert value(after, "exporthub_exported_bytes_total", **where) > value(
        before, "exporthub_exported_bytes_total", **where
    )
    # The window closed at 10:15 and its file was complete at the simulated 10:16:30.
    fresh = "exporthub_export_freshness_seconds_bucket"
    assert value(after, fresh, le="60.0", **where) == value(before, fresh, le="60.0", **where)
    assert value(after, fresh, le="120.0", **where) - value(before, fresh, le="120.0", **where) == 1


def test_ingestion_counts_accepted_events_and_rejected_batches(
    tenant: Tenant, scrape: Client
) -> None:
    api = api_client(ApiKey.issue(tenant, Role.ADMIN, "ingest")[1])
    before = figures(scrape)
    events_url = "/api/v1/events/clicks"
    good = [_click(click_id=f"c-{n}") for n in range(3)]
    assert api.post(events_url, good, content_type="application/json").status_code == 202
    bad = [*good, {"click_id": "c-4"}]  # one incomplete row refuses the whole batch
    assert api.post(events_url, bad, content_type="application/json").status_code == 400
    after = figures(scrape)
    accepted = "exporthub_ingested_events_total"
    assert value(after, accepted, feed="clicks") - value(before, accepted, feed="clicks") == 3
    rejected = "exporthub_rejected_batches_total"
    assert (
        value(after, rejected, feed="clicks", reason="invalid")
        - value(before, rejected, feed="clicks", reason="invalid")
        == 1
    )


def test_verify_results_are_counted(tenant: Tenant, scrape: Client, s3_env: str) -> None:
    before = figures(scrape)
    integration = make_integration(tenant, "s3", "clicks", bucket="no-such-bucket-anywhere")
    verification, _ = start_verification(integration, Actor.system(), enqueue=False)
    run_verification(verification.pk)
    after = figures(scrape)
    name = "exporthub_verifications_total"
    assert (
        value(after, name, destination="s3", result="failed")
        - value(before, name, destination="s3", result="failed")
        == 1
    )


def test_the_queue_and_the_scheduler_tick_come_from_the_database(
    s3_env: str, tenant: Tenant, scrape: Client, client: Client
) -> None:
    # Two hours back: at least six closed windows, whatever the minute this runs at.
    active(tenant, "s3", "clicks", timezone.now() - timedelta(hours=2), bucket=new_bucket(s3_env))
    with mock.patch("feeds.tasks.dispatch_runs.delay"):  # the runs stay due
        schedule_exports.apply(kwargs={"kind": "raw"}).get()  # the beat's task, in this process
    found = figures(scrape)
    assert value(found, "exporthub_runs_due") >= 3  # the hour's closed windows
    assert value(found, "exporthub_oldest_due_run_age_seconds") > 15 * 60
    tick = SchedulerTick.objects.get(name="schedule").ticked_at
    assert value(found, "exporthub_scheduler_last_tick_timestamp_seconds") == tick.timestamp()
    assert client.get("/healthz").json()["scheduler"]["status"] == "ok"
    SchedulerTick.objects.update(ticked_at=timezone.now() - timedelta(minutes=11))
    health = client.get("/healthz")
    assert health.status_code == 200  # the web itself is fine: alert on the report
    assert health.json()["scheduler"]["status"] == "stale"


def test_multiprocess_mode_sums_every_process(
    tmp_path: Path, scrape: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two other processes (as gunicorn or Celery prefork children) count into the folder; the
    web's /metrics sums them."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    code = (
        "from exporthub.metrics import EXPORTED_ROWS as r; "
        "r.labels(feed='clicks', destination='gcs').inc(1000)"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    found = figures(scrape)
    assert value(found, "exporthub_exported_rows_total", feed="clicks", destination="gcs") == 2000
