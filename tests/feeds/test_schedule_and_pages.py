"""Beat tasks, the daily archive, run history on the page and the Reprocess action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from exporthub.celery import app
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import clock
from feeds.runs.archive import archive_manifests
from feeds.tasks import dispatch_runs, schedule_exports
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "NONE"}


def test_beat_schedules_raw_log_level_retries_and_archive() -> None:
    schedule = app.conf.beat_schedule
    assert {entry["task"] for entry in schedule.values()} == {
        "feeds.schedule",
        "feeds.close_windows",
        "feeds.archive",
        "feeds.iceberg_maintenance",
        "feeds.expire_events",
        "feeds.maintain_partitions",
        "outbox.send_due",
        "integrations.expiry_reminders",
        "webhooks.send_due",
    }
    kinds = {e["args"][0] for e in schedule.values() if e["task"] == "feeds.schedule"}
    assert kinds == {"log_level", "all"}  # raw windows: the close tick, every 2 s
    close = next(e for e in schedule.values() if e["task"] == "feeds.close_windows")
    assert close["schedule"] == 2.0 and close["options"] == {"expires": 2.0}
    assert {"feeds.schedule", "feeds.close_windows", "feeds.dispatch", "feeds.export",
            "feeds.archive", "feeds.expire_events",
            "feeds.maintain_partitions", "feeds.iceberg_maintenance"} <= set(app.tasks)  # fmt: skip


def test_the_beat_task_enqueues_one_task_per_due_window(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    settings.EXPORT_WORKERS_PER_TENANT = 3  # a tick sends no more than the tenant's places
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", HOUR, bucket=bucket)
    with mock.patch("feeds.tasks.timezone.now", return_value=HOUR + timedelta(minutes=46)):
        assert schedule_exports("raw") == 3  # eager in tests: each task runs inline
    assert ExportRun.objects.filter(status="succeeded").count() == 3
    assert len([k for k in objects(s3_env, bucket) if k.endswith(".csv.gz")]) == 3


def test_the_tick_publishes_one_dispatch_per_batch_of_runs(tenant: Tenant, settings: Any) -> None:
    settings.EXPORT_WORKERS_PER_TENANT = 3
    active(tenant, "s3", "clicks", HOUR, bucket="not-contacted")
    with (
        mock.patch("feeds.tasks.timezone.now", return_value=HOUR + timedelta(minutes=46)),
        mock.patch("feeds.tasks.DISPATCH_RUNS", 2),
        mock.patch("feeds.tasks.dispatch_runs.delay") as dispatch,
    ):
        assert schedule_exports("raw") == 3
    runs = list(ExportRun.objects.order_by("window_start").values_list("pk", flat=True))
    assert [c.args[0] for c in dispatch.call_args_list] == [runs[:2], runs[2:]]
    with mock.patch("feeds.tasks.export_run.delay") as export:
        assert dispatch_runs(runs[:2]) == 2
    assert [c.args[0] for c in export.call_args_list] == runs[:2]


def test_manifests_older_than_30_days_move_to_archive(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    client = s3(s3_env)
    old = "manifests/standard_feed-998-2026101009-20261010101500.json"
    recent = "manifests/standard_feed-998-2026112009-20261120101500.json"
    other_seat = "manifests/standard_feed-777-2026101009-20261010101500.json"
    for key in (old, recent, other_seat):
        client.put_object(Bucket=bucket, Key=key, Body=b"{}")
    assert archive_manifests(HOUR) == 1
    keys = set(objects(s3_env, bucket))
    assert "manifests/archive/standard_feed-998-2026101009-20261010101500.json" in keys
    assert {recent, other_seat} <= keys and old not in keys


def test_the_page_shows_runs_and_admins_can_reprocess(
    s3_env: str,
    tenant: Tenant,
    admin_client: Client,
    viewer_client: Client,
    outsider_client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env), **AVRO)
    events(tenant, "standard_feed", 20, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    base = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    page = admin_client.get(base).content.decode()
    assert "2026-11-22 10:00" in page and "Succeeded" in page and "998-0-" in page
    assert (
        "Reprocess hour" in page
        and "Reprocess hour" not in viewer_client.get(base).content.decode()
    )
    assert viewer_client.post(base + "reprocess/", {"hour": "2026-11-22T10:00"}).status_code == 403
    assert (
        outsider_client.post(base + "reprocess/", {"hour": "2026-11-22T10:00"}).status_code == 404
    )
    with (
        clock.simulated(HOUR + timedelta(hours=1, minutes=20)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(base + "reprocess/", {"hour": "2026-11-22T10:00"})
    assert response.status_code == 302
    runs = ExportRun.objects.filter(integration=integration, window_start=HOUR).order_by(
        "generation"
    )
    assert [(r.generation, r.status) for r in runs] == [(0, "succeeded"), (1, "succeeded")]
    assert admin_client.post(base + "reprocess/", {"hour": "yesterday"}).status_code == 302
    assert runs.count() == 2


def test_the_tick_queries_as_often_for_many_windows_as_for_one(
    tenant: Tenant, settings: Any
) -> None:
    settings.EXPORT_WORKERS_PER_TENANT = 100  # all of them sent at once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from feeds.runs.schedule import schedule
    from integrations.models import Integration
    from tests.support.integrations import make_integration

    def queries_of_a_tick(now: datetime) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            ready = schedule(now)
        return len(queries), len(ready)

    first = make_integration(tenant, "s3", "clicks", name="one")
    ExportRun.objects.all().delete()
    Integration.objects.filter(pk=first.pk).update(state="active", exports_from=HOUR)
    few = queries_of_a_tick(HOUR + timedelta(minutes=16))
    second = make_integration(tenant, "s3", "standard_feed", name="two")
    Integration.objects.filter(pk=second.pk).update(state="active", exports_from=HOUR)
    # Six hours: dozens of windows, fewer than SQLite's bulk insert takes in one statement.
    many = queries_of_a_tick(HOUR + timedelta(hours=6, minutes=16))
    assert few[1] == 1 and many[1] > 25  # one due window, then dozens across both feeds
    assert few[0] == many[0]


def test_a_waiting_run_is_sent_to_the_queue_once_per_lease(tenant: Tenant) -> None:
    from feeds.runs.ledger import lease
    from feeds.runs.schedule import schedule
    from integrations.models import Integration
    from tests.support.integrations import make_integration

    integration = make_integration(tenant, "s3", "clicks")
    Integration.objects.filter(pk=integration.pk).update(state="active", exports_from=HOUR)
    tick = HOUR + timedelta(minutes=16)
    first = schedule(tick)
    assert len(first) == 1
    # No worker took it yet (a backlog): the next ticks do not send it again…
    assert schedule(tick + timedelta(minutes=1)) == []
    # …until a lease has passed, in case the message was lost with the broker.
    assert first[0] in schedule(tick + lease() + timedelta(seconds=1))
