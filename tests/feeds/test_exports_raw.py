"""Raw feeds end to end on the S3 stand-in: every 15 minutes of received time, exactly once."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.formats.values import csv_text
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.schema.derived import csv_header
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports

from .readers import read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _clicks(files: dict[str, bytes]) -> list[list[str]]:
    rows = []
    for key in sorted(k for k in files if k.endswith(".csv.gz")):
        table = read_csv_gz(files[key])
        assert table[0] == csv_header("clicks")
        rows += table[1:]
    return rows


def test_it_exports_each_window_once_by_received_time(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    sent = events(tenant, "clicks", 600, T0, T0 + timedelta(minutes=45))
    run_exports("2026-11-22T10:46:00Z")
    files = objects(s3_env, bucket)
    day = "exports/clicks/2026/11/22/"
    # Seed 000 exactly: the CSV.gz files in the Year/Month/Day folders, nothing beside them.
    assert sorted(files) == [f"{day}2026-11-22-10-{m}.csv.gz" for m in ("00", "15", "30")]
    # A late event (happened at 10:05, received at 10:50) lands in the window it was received in.
    late = Generator("clicks", 99).rows(1, T0 + timedelta(minutes=50), T0 + timedelta(minutes=51))
    late_row, _ = next(late)
    late_row = (*late_row[:1], T0 + timedelta(minutes=5), *late_row[2:])
    store_events(tenant, "clicks", [(late_row, T0 + timedelta(minutes=50))])
    assert "1 run(s) processed" in run_exports("2026-11-22T11:01:00Z")
    assert "0 run(s) processed" in run_exports("2026-11-22T11:01:30Z")  # nothing twice
    files = objects(s3_env, bucket)
    exported = _clicks(files)
    assert sorted(r[0] for r in exported) == sorted([row[0] for row in sent] + [late_row[0]])
    assert [csv_text(v) for v in late_row] in _clicks(
        {k: v for k, v in files.items() if "10-45" in k}
    )


def test_completion_manifests_when_chosen_go_under_their_own_prefix_not_beside_the_files(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "clicks", T0, bucket=bucket, completion_manifests="on")
    assert integration.config["completion_manifests"] is True
    events(tenant, "clicks", 50, T0, T0 + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z")
    files = objects(s3_env, bucket)
    manifest_key = "exports/clicks/_manifests/2026/11/22/2026-11-22-10-00.manifest.json"
    assert sorted(files) == ["exports/clicks/2026/11/22/2026-11-22-10-00.csv.gz", manifest_key]
    data = files["exports/clicks/2026/11/22/2026-11-22-10-00.csv.gz"]
    import json

    manifest = json.loads(files[manifest_key])
    assert manifest["path"] == "/exports/clicks/2026/11/22"
    assert manifest["files"] == [
        {"checksum": hashlib.md5(data).hexdigest(), "name": "2026-11-22-10-00.csv.gz"}
    ]
    assert manifest["seat_id"] == tenant.seat_id and manifest["hour"] == "2026-11-22 10:00:00"
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows, run.files[0]["md5"]) == (
        "succeeded",
        50,
        hashlib.md5(data).hexdigest(),
    )


def test_an_empty_window_gets_a_header_only_file(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "conversions", T0, bucket=bucket, directory="/conv")
    run_exports("2026-11-22T10:16:00Z")
    files = objects(s3_env, bucket)
    assert read_csv_gz(files["conv/2026/11/22/2026-11-22-10-00.csv.gz"]) == [
        csv_header("conversions")
    ]


def test_it_starts_with_the_window_after_activation(s3_env: str, tenant: Tenant) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0 + timedelta(minutes=7), bucket=bucket)
    run_exports("2026-11-22T10:46:00Z")
    assert sorted(k for k in objects(s3_env, bucket) if k.endswith(".gz")) == [
        "exports/clicks/2026/11/22/2026-11-22-10-15.csv.gz",
        "exports/clicks/2026/11/22/2026-11-22-10-30.csv.gz",
    ]


@pytest.mark.parametrize(
    "boundary", ["2026-12-31T23:45:00Z", "2026-02-28T23:45:00Z", "2026-03-29T00:45:00Z"]
)
def test_windows_cross_month_year_and_dst_ends_in_utc(
    s3_env: str, tenant: Tenant, boundary: str
) -> None:
    start = datetime.fromisoformat(boundary)
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", start, bucket=bucket)
    run_exports((start + timedelta(minutes=31)).isoformat())
    names = sorted(k for k in objects(s3_env, bucket) if k.endswith(".gz"))
    nxt = start + timedelta(minutes=15)
    assert names == [
        f"exports/clicks/{start:%Y/%m/%d}/{start:%Y-%m-%d-%H-%M}.csv.gz",
        f"exports/clicks/{nxt:%Y/%m/%d}/{nxt:%Y-%m-%d-%H-%M}.csv.gz",
    ]


def test_two_workers_never_export_a_window_twice(s3_env: str, tenant: Tenant) -> None:
    from feeds.runs.export import execute
    from feeds.runs.ledger import claim
    from feeds.runs.schedule import schedule

    active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    first = schedule(T0 + timedelta(minutes=16))
    # A duplicate tick creates nothing new, and does not send the waiting run again.
    assert schedule(T0 + timedelta(minutes=16)) == []
    assert ExportRun.objects.count() == 1
    assert claim(first[0]) is not None
    assert claim(first[0]) is None  # a second worker (or a redelivered message) gets nothing
    assert execute(first[0]) is None


def test_a_run_whose_worker_died_is_reclaimed(s3_env: str, tenant: Tenant) -> None:
    from feeds.runs.export import execute
    from feeds.runs.ledger import claim
    from feeds.runs.schedule import schedule

    active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    run_id = schedule(T0 + timedelta(minutes=16))[0]
    assert claim(run_id) is not None  # then the worker is killed
    ExportRun.objects.filter(pk=run_id).update(lease_expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    result: Any = execute(run_id)
    assert result.status == "succeeded" and result.attempts == 2


def test_the_exported_bytes_equal_pythons_csv_of_the_stored_rows(
    s3_env: str, tenant: Tenant
) -> None:
    """On PostgreSQL the export is written by COPY; it must match the Python writer field for
    field, including quotes, line breaks, unicode, empty strings, nulls, booleans, decimals."""
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    rows = [row for row, _ in Generator("clicks", 9).rows(40, T0, T0 + timedelta(minutes=15))]
    tricky = [
        'a "quoted", multi\\nline',
        "",
        "tab\\there, back\\\\slash",
        "ünïcödé 😀",
        "\\r\\n",
        " lead and trail ",
        "\\\\.",
    ]
    for index, text in enumerate(tricky):
        row = list(rows[index])
        row[6] = text  # sub1
        row[7] = None  # sub2
        rows[index] = tuple(row)
    received = T0 + timedelta(minutes=5)
    store_events(
        tenant, "clicks", [(row, received + timedelta(seconds=i)) for i, row in enumerate(rows)]
    )
    run_exports((T0 + timedelta(minutes=16)).isoformat())
    files = objects(s3_env, bucket)
    (key,) = [k for k in files if k.endswith(".csv.gz")]
    expected = [csv_header("clicks"), *([csv_text(v) for v in row] for row in rows)]
    assert read_csv_gz(files[key]) == expected
    assert ExportRun.objects.get().rows == 40


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_progress_reports_never_block_a_streaming_export(
    s3_env: str, tenant: Tenant, feed: str
) -> None:
    """A progress report is a query; issued on a connection busy streaming the window (COPY)
    it would wait forever. Reports every row here, and the export must still finish."""
    import threading
    from functools import partial
    from unittest import mock

    from feeds.runs.progress import RowCounter

    bucket = new_bucket(s3_env)
    fields = {"format": "avro", "compression": "NONE"} if feed == "standard_feed" else {}
    active(tenant, "s3", feed, T0, bucket=bucket, **fields)
    end = T0 + timedelta(hours=1)
    store_events(tenant, feed, Generator(feed, 3).rows(3000, T0, end))
    now = (end + timedelta(minutes=11)).isoformat()
    done = threading.Event()

    def export() -> None:
        try:
            with mock.patch("feeds.runs.raw.window.RowCounter", partial(RowCounter, interval=0)):
                run_exports(now)
        finally:
            from django.db import connection

            connection.close()
            done.set()

    worker = threading.Thread(target=export, daemon=True)
    worker.start()
    assert done.wait(120), "the export hung on its own progress report"
    runs = ExportRun.objects.filter(integration__feed=feed)
    assert runs.exists() and all(r.status == "succeeded" for r in runs)
    assert sum(r.rows for r in runs) == 3000


def test_raw_integrations_saved_before_the_option_keep_their_manifests(tenant: Tenant) -> None:
    import importlib

    from django.apps import apps

    from integrations.models import Integration

    earlier = active(tenant, "s3", "clicks", T0, name="Earlier", bucket="earlier-clicks")
    chose = active(tenant, "s3", "conversions", T0, name="Chose", bucket="chose-conversions")
    config = {k: v for k, v in earlier.config.items() if k != "completion_manifests"}
    Integration.objects.filter(pk=earlier.pk).update(config=config)
    migration = importlib.import_module("integrations.migrations.0007_raw_completion_manifests")
    migration.keep_manifests(apps, None)
    earlier.refresh_from_db()
    chose.refresh_from_db()
    assert earlier.config["completion_manifests"] is True
    assert chose.config["completion_manifests"] is False  # saved with the option: left as chosen
