"""An Admin's backfill of a past range: every missing window once under its usual name, exported
log-level hours again as new generations, delivered raw windows untouched, behind the live
schedule, one at a time, refused with a reason outside the limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import ApiKey, AuditEntry, Role, Tenant
from feeds.models import Backfill, ExportRun
from feeds.runs import clock
from feeds.runs.export import execute
from feeds.runs.on_demand import backfills
from feeds.runs.schedule import schedule
from integrations.lifecycle.state import activate, deactivate
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

from .readers import read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}
Status = ExportRun.Status


@pytest.fixture(autouse=True)
def places_for_every_window(settings: Any) -> None:
    """A tick here sends every window due: what a tenant's cap on the export workers leaves
    waiting is the subject of tests/feeds/test_export_places_waiting.py."""
    settings.EXPORT_WORKERS_PER_TENANT = 1000  # more than three days of windows


def _api(tenant: Tenant, role: str = Role.ADMIN) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, role, 'ci')[1]}")


def _post(api: Client, integration: Integration, start: str, end: str) -> Any:
    return api.post(
        f"/api/v1/integrations/{integration.pk}/backfill",
        {"start": start, "end": end},
        content_type="application/json",
    )


def _deactivated_for_four_days(*integrations: Integration) -> None:
    """Exported from 11:00 on day one until 12:16, then deactivated for longer than the 3-day
    backfill limit and verified again on day four at 14:16."""
    run_exports("2026-11-22T12:16:00Z")
    for integration in integrations:
        deactivate(integration, Actor.system(), "AccessDenied")
        activate(integration, Actor.system())


def _work_through(now: datetime) -> list[int]:
    """What the workers do with a tick's backfill runs: execute each, then the next it hands
    out (feeds.tasks.export_run), until none is left. The tick's live runs are not executed
    here: three days of empty windows would cost minutes and prove nothing about backfills."""
    with clock.simulated(now):
        ready = schedule(now)
        backfill_runs = set(
            ExportRun.objects.filter(pk__in=ready, backfill__isnull=False).values_list(
                "pk", flat=True
            )
        )
        waiting = [pk for pk in ready if pk in backfill_runs]
        live = [pk for pk in ready if pk not in waiting]
        assert ready == live + waiting  # the backfills' runs are queued behind the live ones
        done = []
        while waiting:
            run = execute(waiting.pop(0))
            assert run is not None and run.backfill_id is not None
            done.append(run.pk)
            following = backfills.hand_out(run.backfill_id, now)
            waiting += [following] if following is not None else []
    return done


def test_a_backfill_across_a_deactivation_exports_every_missing_window_once(
    s3_env: str, tenant: Tenant
) -> None:
    clicks_bucket, hours_bucket = new_bucket(s3_env), new_bucket(s3_env)
    first = T0 + timedelta(hours=1)  # exports began at 11:00; 10:00 to 11:00 never exported
    clicks = active(tenant, "s3", "clicks", first, bucket=clicks_bucket)
    hours = active(tenant, "s3", "standard_feed", first, bucket=hours_bucket, **AVRO)
    sent_clicks = events(tenant, "clicks", 400, T0, T0 + timedelta(hours=4))
    sent_hours = events(tenant, "standard_feed", 200, T0, T0 + timedelta(hours=4))
    _deactivated_for_four_days(clicks, hours)
    catch_up = datetime(2026, 11, 25, 14, 16, tzinfo=UTC)
    with clock.simulated(catch_up):
        schedule(catch_up)  # the re-Verify's catch-up: the gap past 3 days is skipped
    skipped = ExportRun.objects.filter(status=Status.SKIPPED, error_code="BackfillLimit")
    assert skipped.filter(integration=clicks).count() == 9  # 12:15 … 14:15
    assert skipped.filter(integration=hours).count() == 3  # 12:00, 13:00, 14:00
    delivered = objects(s3_env, clicks_bucket)

    api = _api(tenant)
    with clock.simulated(catch_up + timedelta(minutes=1)):
        raw = _post(api, clicks, "2026-11-22T10:00Z", "2026-11-22T14:00Z")
        log_level = _post(api, hours, "2026-11-22T10:00Z", "2026-11-22T14:00Z")
    assert raw.status_code == log_level.status_code == 202, (raw.content, log_level.content)
    assert (raw.json()["windows"], len(raw.json()["delivered_before"])) == (4 + 7, 5)
    assert (log_level.json()["windows"], log_level.json()["reprocessed"]) == (4, 1)
    assert raw.json()["running"] and raw.json()["done"] == 0

    assert len(_work_through(catch_up + timedelta(minutes=2))) == 11 + 4

    for backfill in Backfill.objects.all():
        found = backfills.progress(backfill)
        assert (found.done, found.total, found.running) == (
            backfill.windows,
            backfill.windows,
            False,
        )
    files = objects(s3_env, clicks_bucket)
    day_one = sorted(key for key in files if key.endswith(".csv.gz") and "/2026/11/22/" in key)
    assert day_one == sorted(
        f"exports/clicks/2026/11/22/{T0 + timedelta(minutes=15 * n):%Y-%m-%d-%H-%M}.csv.gz"
        for n in range(16)  # 10:00 … 13:45
    )
    for key, data in delivered.items():  # delivered windows untouched
        assert files[key] == data
    exported = [row[0] for key in day_one for row in read_csv_gz(files[key])[1:]]
    assert sorted(exported) == sorted(row[0] for row in sent_clicks)  # each click once

    by_hour: dict[str, list[str]] = {}
    for key, data in objects(s3_env, hours_bucket).items():
        if key.startswith("manifests/") and key.endswith(".json"):
            manifest = json.loads(data)
            by_hour.setdefault(manifest["hour"], []).append(manifest["processed_on"])
    day_one = sorted(hour for hour in by_hour if hour.startswith("2026-11-22"))
    assert day_one == [f"2026-11-22 {h}:00:00" for h in (10, 11, 12, 13)]
    # 11:00 was exported before: a second generation, with its own %TIMESTAMP% and manifest.
    assert len(set(by_hour["2026-11-22 11:00:00"])) == 2
    assert all(len(by_hour[hour]) == 1 for hour in day_one if hour != "2026-11-22 11:00:00")
    hour_rows = {
        run.window_start: run.rows
        for run in ExportRun.objects.filter(integration=hours, backfill__isnull=False)
    }
    for n in range(4):
        hour = T0 + timedelta(hours=n)
        expected = sum(1 for row in sent_hours if hour <= row[1] < hour + timedelta(hours=1))
        assert hour_rows[hour] == expected


def test_a_backfill_asked_before_the_catch_up_leaves_the_schedule_no_hole(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    clicks = active(tenant, "s3", "clicks", T0, bucket=bucket)
    sent = events(tenant, "clicks", 100, T0, T0 + timedelta(hours=3))
    _deactivated_for_four_days(clicks)
    verified = datetime(2026, 11, 25, 14, 16, tzinfo=UTC)
    with clock.simulated(verified):  # asked right after the re-Verify, before any tick
        backfill = backfills.request_backfill(
            clicks, T0 + timedelta(hours=2), T0 + timedelta(hours=3), Actor(label="admin")
        )
    assert backfill.windows == 3 and len(backfill.delivered_before) == 1  # 12:00 was exported
    assert len(_work_through(verified + timedelta(minutes=1))) == 3
    # The catch-up went on from 12:15 as if the backfill were not there: every window up to
    # 14:30 has exactly one run, the backfill's three exported, the rest skipped with a reason.
    day_one = ExportRun.objects.filter(
        integration=clicks, window_start__lt=T0 + timedelta(hours=4, minutes=30)
    )
    assert day_one.count() == 18 and not day_one.exclude(generation=0).exists()
    assert day_one.filter(backfill=backfill, status=Status.SUCCEEDED).count() == 3
    assert day_one.filter(backfill=None, status=Status.SUCCEEDED).count() == 9
    assert day_one.filter(status=Status.SKIPPED, error_code="BackfillLimit").count() == 6
    exported = [
        row[0]
        for key, data in objects(s3_env, bucket).items()
        if key.endswith(".csv.gz")
        for row in read_csv_gz(data)[1:]
    ]
    assert sorted(exported) == sorted(row[0] for row in sent if row[1] < T0 + timedelta(hours=3))


@pytest.fixture
def hours(tenant: Tenant) -> Iterator[Integration]:
    """A log-level export with hours 10:00 to 12:00 of 2026-11-22 exported; it is 14:05 that day."""
    integration = active(tenant, "s3", "standard_feed", T0, bucket="not-contacted", **AVRO)
    for n in range(3):
        ExportRun.objects.create(
            integration=integration, window_start=T0 + timedelta(hours=n),
            window_end=T0 + timedelta(hours=n + 1), status=Status.SUCCEEDED,
        )  # fmt: skip
    with clock.simulated(T0 + timedelta(hours=4, minutes=5)):
        yield integration


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("2026-11-22T12:00Z", "2026-11-22T12:00Z", "its start must be before its end"),
        ("2026-11-15T13:00Z", "2026-11-22T12:00Z", "Events are kept for 7 days"),
        (
            "2026-11-22T12:00Z",
            "2026-11-22T15:00Z",
            "must end by the last closed window, 2026-11-22 13:00",
        ),
    ],
)
def test_ranges_outside_the_limits_are_a_400_that_says_why(
    tenant: Tenant, hours: Integration, start: str, end: str, reason: str
) -> None:
    response = _post(_api(tenant), hours, start, end)
    assert response.status_code == 400, response.content
    assert reason in response.json()["detail"][0]
    assert not Backfill.objects.exists() and ExportRun.objects.count() == 3


def test_one_backfill_at_a_time_and_the_oldest_retained_hour_is_accepted(
    tenant: Tenant, hours: Integration
) -> None:
    api = _api(tenant)
    oldest = "2026-11-15T15:00Z"  # 14:05 seven days back, rounded up to the hour
    first = _post(api, hours, oldest, "2026-11-15T17:00Z")
    assert first.status_code == 202 and first.json()["windows"] == 2
    second = _post(api, hours, "2026-11-22T10:00Z", "2026-11-22T12:00Z")
    assert second.status_code == 400
    assert "still running" in second.json()["detail"][0]
    ExportRun.objects.filter(backfill__isnull=False).update(status=Status.SUCCEEDED)
    assert _post(api, hours, "2026-11-22T10:00Z", "2026-11-22T12:00Z").status_code == 202


def test_a_range_with_nothing_to_do_is_refused_and_an_inactive_export_backfills_nothing(
    tenant: Tenant, hours: Integration
) -> None:
    clicks = active(tenant, "s3", "clicks", T0, bucket="not-contacted")
    ExportRun.objects.create(
        integration=clicks, window_start=T0, window_end=T0 + timedelta(minutes=15),
        status=Status.SUCCEEDED,
    )  # fmt: skip
    response = _post(_api(tenant), clicks, "2026-11-22T10:00Z", "2026-11-22T10:15Z")
    assert response.status_code == 400 and "delivered already" in response.json()["detail"][0]
    Integration.objects.filter(pk=hours.pk).update(state=State.DEACTIVATED)
    response = _post(_api(tenant), hours, "2026-11-22T10:00Z", "2026-11-22T12:00Z")
    assert response.status_code == 400 and "verify it first" in response.json()["detail"][0]
    assert not Backfill.objects.exists()


def test_viewer_keys_cannot_backfill_and_another_tenants_export_is_a_404(
    tenant: Tenant, other_tenant: Tenant, hours: Integration
) -> None:
    assert (
        _post(
            _api(tenant, Role.VIEWER), hours, "2026-11-22T10:00Z", "2026-11-22T12:00Z"
        ).status_code
        == 403
    )
    assert (
        _post(_api(other_tenant), hours, "2026-11-22T10:00Z", "2026-11-22T12:00Z").status_code
        == 404
    )
    assert _api(other_tenant).get(f"/api/v1/integrations/{hours.pk}/backfill").status_code == 404
    assert not Backfill.objects.exists()


def test_a_backfill_is_audited_and_its_progress_is_on_the_api_and_the_page(
    tenant: Tenant, hours: Integration, admin_client: Client, viewer_client: Client
) -> None:
    url = f"/t/{tenant.slug}/integrations/{hours.pk}/backfill/"
    response = admin_client.post(
        url, {"start": "2026-11-22T09:00", "end": "2026-11-22T12:00"}, follow=True
    )
    page = response.content.decode()
    assert "Backfilling 3 window(s) from 2026-11-22 09:00 to 2026-11-22 12:00 UTC" in page
    assert "0 of 3 windows" in page and "2 hours as new generations" in page
    entry = AuditEntry.objects.get(action="integration.backfill_requested")
    assert entry.changes["windows"] == 3 and entry.changes["reprocessed"] == 2
    ExportRun.objects.filter(backfill__isnull=False, window_start=T0).update(
        status=Status.SUCCEEDED
    )
    listed = _api(tenant, Role.VIEWER).get(f"/api/v1/integrations/{hours.pk}/backfill").json()
    assert [(b["done"], b["windows"], b["running"]) for b in listed] == [(1, 3, True)]
    assert (
        "1 of 3 windows"
        in viewer_client.get(f"/t/{tenant.slug}/integrations/{hours.pk}/").content.decode()
    )
    assert (
        'name="start"'
        not in viewer_client.get(f"/t/{tenant.slug}/integrations/{hours.pk}/").content.decode()
    )
    refused = admin_client.post(
        url, {"start": "2026-11-22T09:00", "end": "2026-11-22T12:00"}, follow=True
    )
    assert "Not backfilled: A backfill of this export is still running" in refused.content.decode()
    garbage = admin_client.post(url, {"start": "yesterday", "end": ""}, follow=True)
    assert "Enter both ends of the range" in garbage.content.decode()


def test_backfill_runs_go_one_at_a_time_behind_live_runs_and_end_at_the_retention(
    tenant: Tenant, hours: Integration
) -> None:
    now = T0 + timedelta(hours=4, minutes=5)
    backfill = backfills.request_backfill(hours, T0 - timedelta(hours=3), T0, Actor(label="a"))
    live = ExportRun.objects.create(
        integration=hours, window_start=T0 + timedelta(hours=3),
        window_end=T0 + timedelta(hours=4),
    )  # fmt: skip
    ready = schedule(now)
    first = ExportRun.objects.get(backfill=backfill, window_start=T0 - timedelta(hours=3))
    assert ready == [live.pk, first.pk]  # one of the backfill's, after the live hour
    assert backfills.hand_out(backfill.pk, now) is None  # the first is in the queue
    assert schedule(now + timedelta(minutes=1)) == []
    ExportRun.objects.filter(pk=first.pk).update(status=Status.SUCCEEDED, enqueued_at=None)
    second = backfills.hand_out(backfill.pk, now)
    assert second == ExportRun.objects.get(window_start=T0 - timedelta(hours=2)).pk
    # Eight days later the rest is past the 7-day retention: skipped with the reason.
    later = now + timedelta(days=8)
    with clock.simulated(later):
        schedule(later)
    gone = ExportRun.objects.filter(backfill=backfill, status=Status.SKIPPED)
    assert gone.count() == 2 and set(gone.values_list("error_code", flat=True)) == {
        "RetentionLimit"
    }
    assert not backfills.progress(backfill).running
