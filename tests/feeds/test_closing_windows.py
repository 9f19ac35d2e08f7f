"""Raw windows close on knowledge, not a timer (issue 35): exported seconds after their end when
no ingestion is in flight, held while one that could add rows is, and never losing a row that
commits after its window closed (it goes out with the next window, as a late event does)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion import marks
from feeds.ingestion.store import store_events
from feeds.models import EVENT_MODELS, ExportRun, IngestMark
from feeds.runs import clock
from feeds.runs.on_demand import backfills
from feeds.tasks import close_windows
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

from .readers import read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
END = T0 + timedelta(minutes=15)
FOLDER = "exports/clicks/2026/11/22/"
HOUR_SPAN = timedelta(hours=1)


def _at(seconds: float) -> str:
    return (END + timedelta(seconds=seconds)).isoformat()


def _ids(data: bytes) -> list[str]:
    return [row[0] for row in read_csv_gz(data)[1:]]


def _rows(count: int, seed: int) -> list[tuple[Any, ...]]:
    return [row for row, _ in Generator("clicks", seed).rows(count, T0, END)]


def _store(tenant: Tenant, rows: list[tuple[Any, ...]]) -> Any:
    return lambda at: store_events(tenant, "clicks", [(row, at) for row in rows])


def test_a_window_with_nothing_in_flight_is_exported_seconds_after_its_end_not_a_minute(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    sent = events(tenant, "clicks", 30, T0, END)
    assert "0 run(s) processed" in run_exports(_at(0.5))  # not settled yet (clocks may differ)
    assert "1 run(s) processed" in run_exports(_at(1))
    files = objects(s3_env, bucket)
    assert sorted(_ids(files[f"{FOLDER}2026-11-22-10-00.csv.gz"])) == sorted(r[0] for r in sent)


def test_the_close_tick_exports_the_window_then_costs_one_query_until_the_next_one_ends(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    events(tenant, "clicks", 10, T0, END)
    with mock.patch("feeds.tasks.timezone.now", return_value=END + timedelta(seconds=2)):
        assert close_windows() == 1  # eager in tests: the export ran inline
    assert ExportRun.objects.get().status == "succeeded"
    for later in (3, 600, 899):
        with (
            mock.patch("feeds.tasks.timezone.now", return_value=END + timedelta(seconds=later)),
            CaptureQueriesContext(connection) as queries,
        ):
            assert close_windows() == 0
        assert len(queries) == 1, [q["sql"] for q in queries]


def test_a_window_waits_while_an_ingestion_that_could_add_rows_is_in_flight(
    s3_env: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    bucket, theirs = new_bucket(s3_env), new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    active(other_tenant, "s3", "clicks", T0, bucket=theirs)
    with clock.simulated(END - timedelta(seconds=1)):
        flight = marks.begin(tenant.pk, "clicks")  # its rows are received at 10:14:59
    # Its tenant's window waits; another tenant's, with nothing in flight, does not.
    assert "1 run(s) processed" in run_exports(_at(2))
    assert list(ExportRun.objects.values_list("integration__tenant", flat=True)) == [
        other_tenant.pk
    ]
    rows = _rows(5, seed=11)
    with clock.simulated(END + timedelta(seconds=3)):
        assert marks.store_marked(tenant.pk, "clicks", _store(tenant, rows), flight) == 5
    assert "1 run(s) processed" in run_exports(_at(4))
    exported = _ids(objects(s3_env, bucket)[f"{FOLDER}2026-11-22-10-00.csv.gz"])
    assert sorted(exported) == sorted(row[0] for row in rows)
    assert not IngestMark.objects.exists()


def test_a_writer_that_started_after_the_end_does_not_hold_the_window(
    s3_env: str, tenant: Tenant
) -> None:
    active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    with clock.simulated(END):
        marks.begin(tenant.pk, "clicks")  # its rows belong to the next window
    assert "1 run(s) processed" in run_exports(_at(2))


def test_a_crashed_ingesters_mark_expires_and_the_window_closes(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    with clock.simulated(END - timedelta(seconds=1)):
        marks.begin(tenant.pk, "clicks")  # and never ends: its process died
    bound = settings.INGEST_MARK_SECONDS
    assert "0 run(s) processed" in run_exports(_at(bound - 1))  # still within the bound
    assert "1 run(s) processed" in run_exports(_at(bound))
    assert not IngestMark.objects.exists()


def test_rows_committed_after_their_window_closed_go_out_with_the_next_window_once(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    on_time = events(tenant, "clicks", 20, T0, END - timedelta(seconds=30))
    with clock.simulated(END - timedelta(seconds=10)):
        flight = marks.begin(tenant.pk, "clicks")  # a writer that stalls past the bound
    assert flight.received_at < END
    assert "1 run(s) processed" in run_exports(_at(30))  # its mark expired: closed without it
    late = _rows(7, seed=12)
    with clock.simulated(END + timedelta(seconds=31)):
        # It commits at last: its rows are stamped again, into the window open now.
        assert marks.store_marked(tenant.pk, "clicks", _store(tenant, late), flight) == 7
    stored = EVENT_MODELS["clicks"]._default_manager.filter(click_id__in=[r[0] for r in late])
    assert set(stored.values_list("received_at", flat=True)) == {END + timedelta(seconds=31)}
    assert "1 run(s) processed" in run_exports(_at(15 * 60 + 1))
    files = objects(s3_env, bucket)
    first = _ids(files[f"{FOLDER}2026-11-22-10-00.csv.gz"])
    second = _ids(files[f"{FOLDER}2026-11-22-10-15.csv.gz"])
    assert sorted(first) == sorted(row[0] for row in on_time)
    assert sorted(second) == sorted(row[0] for row in late)  # not lost, not twice
    assert stored.count() == 7 and not IngestMark.objects.exists()


def test_a_backfill_may_end_at_the_window_the_schedule_closed_not_one_still_in_flight(
    tenant: Tenant,
) -> None:
    integration = active(tenant, "s3", "clicks", T0, bucket="not-contacted")
    now = END + timedelta(seconds=2)
    backfills.check(integration, T0, END, now)  # closed: nothing in flight
    with clock.simulated(END - timedelta(seconds=1)):
        marks.begin(tenant.pk, "clicks")
    with pytest.raises(backfills.BackfillRefused, match="last closed window, 2026-11-22 10:00"):
        backfills.check(integration, T0, END, now)


def test_a_log_level_hours_cutoff_stops_before_a_writer_in_flight_so_its_rows_come_late(
    s3_env: str, tenant: Tenant
) -> None:
    hour = T0
    integration = active(tenant, "s3", "standard_feed", hour, bucket=new_bucket(s3_env),
                         format="avro", compression="DEFLATE")  # fmt: skip
    events(tenant, "standard_feed", 40, hour, hour + timedelta(hours=1))
    exported_at = hour + timedelta(hours=1, minutes=11)
    with clock.simulated(exported_at - timedelta(seconds=1)):
        flight = marks.begin(tenant.pk, "standard_feed")  # late events of that hour, in flight
    run_exports(exported_at.isoformat())
    first = ExportRun.objects.get(integration=integration, window_start=hour)
    assert (first.status, first.rows) == ("succeeded", 40)
    assert first.data_cutoff == flight.received_at  # not the instant it began reading
    late = [row for row, _ in Generator("standard_feed", 13).rows(3, hour, hour + HOUR_SPAN)]
    with clock.simulated(exported_at + timedelta(seconds=1)):
        stored = marks.store_marked(
            tenant.pk, "standard_feed",
            lambda at: store_events(tenant, "standard_feed", [(row, at) for row in late]),
            flight,
        )  # fmt: skip
    assert stored == 3
    run_exports((exported_at + timedelta(seconds=30)).isoformat())
    again = ExportRun.objects.get(integration=integration, window_start=hour, generation=1)
    assert (again.status, again.rows) == ("succeeded", 43)  # found by the late-event path
