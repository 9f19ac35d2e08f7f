"""Row filters end to end on the S3 stand-in: the files hold exactly the rows the filter keeps,
in a raw feed (CSV) and a log-level feed (Avro, whole and sliced), the runs count those rows, a
run keeps the filter it started with, and only kept late rows make a new generation."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow.parquet as pq
import pytest

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.runs import clock
from feeds.runs.schedule import reprocess_late_events
from feeds.schema.columns import stored_columns
from integrations.forms.registry import form_class
from integrations.lifecycle.services import save_integration
from integrations.models import Integration
from tests.integrations.destinations.s3.answers import fail_requests
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, manifest_files, run_exports

from .readers import read_avro, read_csv_gz

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}
# A value that reads like SQL: kept as text, it matches no row and changes nothing else.
SQL_LOOKING = "x'); DROP TABLE feeds_click; --"


def _index(feed: str, name: str) -> int:
    return [column.name for column in stored_columns(feed)].index(name)


def _common(rows: list[tuple[Any, ...]], feed: str, name: str, n: int) -> list[int]:
    counts = Counter(row[_index(feed, name)] for row in rows)
    return [value for value, _ in counts.most_common(n)]


def _csv_ids(files: dict[str, bytes]) -> list[str]:
    ids = []
    for key in sorted(k for k in files if k.endswith(".csv.gz")):
        ids += [row[0] for row in read_csv_gz(files[key])[1:]]
    return ids


def test_a_filtered_raw_csv_export_holds_exactly_the_matching_rows(
    s3_env: str, tenant: Tenant
) -> None:
    sent = events(tenant, "clicks", 600, T0, T0 + timedelta(minutes=15))
    advertisers = _common(sent, "clicks", "advertiser_id", 2)
    bucket = new_bucket(s3_env)
    lines = (
        f"advertiser_id in {advertisers[0]}, {advertisers[1]}\n"
        "device_type ne phone\n"
        "sub1 ne email\n"
        f'browser not_in "{SQL_LOOKING}", Opera'
    )
    integration = active(tenant, "s3", "clicks", T0, bucket=bucket, filters=lines)
    assert integration.config["filters"] == [
        {"column": "advertiser_id", "op": "in", "values": advertisers},
        {"column": "device_type", "op": "ne", "value": "phone"},
        {"column": "sub1", "op": "ne", "value": "email"},
        {"column": "browser", "op": "not_in", "values": [SQL_LOOKING, "Opera"]},
    ]
    run_exports("2026-11-22T10:16:00Z")
    kept = [
        row[0]
        for row in sent
        if row[_index("clicks", "advertiser_id")] in advertisers
        and row[_index("clicks", "device_type")] != "phone"
        and row[_index("clicks", "sub1")] != "email"  # a null sub1 is "not email"
        and row[_index("clicks", "browser")] != "Opera"
    ]
    assert 0 < len(kept) < len(sent)
    assert sorted(_csv_ids(objects(s3_env, bucket))) == sorted(kept)
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows, run.filters) == (
        "succeeded",
        len(kept),
        integration.config["filters"],
    )


@pytest.mark.parametrize("data_format", ["jsonl", "parquet"])
def test_a_filtered_raw_export_in_json_lines_or_parquet_holds_exactly_the_matching_rows(
    s3_env: str, tenant: Tenant, data_format: str
) -> None:
    # On PostgreSQL these two read the window otherwise than CSV does (JSON rendered by the
    # server, binary COPY batches): the filter must reach those statements too.
    sent = events(tenant, "clicks", 400, T0, T0 + timedelta(minutes=15))
    (advertiser,) = _common(sent, "clicks", "advertiser_id", 1)
    bucket = new_bucket(s3_env)
    integration = active(
        tenant, "s3", "clicks", T0, bucket=bucket, format=data_format,
        filters=f"advertiser_id eq {advertiser}\ndevice_type ne phone",
    )  # fmt: skip
    run_exports("2026-11-22T10:16:00Z")
    kept = [
        row[0]
        for row in sent
        if row[_index("clicks", "advertiser_id")] == advertiser
        and row[_index("clicks", "device_type")] != "phone"
    ]
    (data,) = [v for k, v in objects(s3_env, bucket).items() if "clicks" in k]
    if data_format == "jsonl":
        records = [json.loads(line) for line in gzip.decompress(data).splitlines()]
    else:
        records = pq.read_table(io.BytesIO(data)).to_pylist()
    ids = [str(record["click_id"]) for record in records]
    assert 0 < len(kept) < len(sent)
    assert sorted(ids) == sorted(str(k) for k in kept)
    assert ExportRun.objects.get(integration=integration).rows == len(kept)


def _auction_ids(files: dict[str, bytes]) -> list[int]:
    (manifest,) = manifest_files(files).values()
    document = json.loads(manifest)
    ids = []
    for entry in document["files"]:
        data = files[f"{document['path'].lstrip('/')}/{entry['name']}"]
        assert entry["checksum"] == hashlib.md5(data).hexdigest()
        ids += [record["auction_id_64"] for record in read_avro(data)]
    return ids


@pytest.mark.parametrize("slice_rows", [0, 40], ids=["whole-hour", "sliced-hour"])
def test_a_filtered_log_level_avro_export_holds_exactly_the_matching_rows(
    s3_env: str, tenant: Tenant, settings: Any, slice_rows: int
) -> None:
    settings.EXPORT_SLICE_ROWS = slice_rows
    sent = events(tenant, "standard_feed", 500, T0, T0 + timedelta(hours=1))
    (advertiser,) = _common(sent, "standard_feed", "advertiser_id", 1)
    bucket = new_bucket(s3_env)
    filters = f"event_type eq imp\nadvertiser_id not_in {advertiser}\nis_learn eq false"
    integration = active(tenant, "s3", "standard_feed", T0, bucket=bucket, filters=filters, **AVRO)
    run_exports("2026-11-22T11:11:00Z")
    kept = [
        row[0]
        for row in sent
        if row[_index("standard_feed", "event_type")] == "imp"
        and row[_index("standard_feed", "advertiser_id")] != advertiser
        and row[_index("standard_feed", "is_learn")] is False
    ]
    assert 0 < len(kept) < len(sent)
    assert sorted(_auction_ids(objects(s3_env, bucket))) == sorted(kept)
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows) == ("succeeded", len(kept))
    if slice_rows:
        assert run.slices.count() > 1


def _change_filters(integration: Integration, lines: str) -> None:
    data = {**integration.config, "name": integration.name, "filters": lines}
    data["notification_emails"] = ", ".join(data["notification_emails"])
    form = form_class("s3")(data, tenant=integration.tenant, feed=integration.feed,
                            instance=integration)  # fmt: skip
    assert form.is_valid(), form.errors
    save_integration(form, Actor.system())


def test_a_window_already_started_keeps_its_filter_and_the_next_takes_the_new_one(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    pairs = list(Generator("clicks", 5).rows(400, T0, T0 + timedelta(minutes=30)))
    store_events(tenant, "clicks", pairs)
    sent = [row for row, _ in pairs]
    first, second = _common(sent, "clicks", "advertiser_id", 2)
    bucket = new_bucket(s3_env)
    integration = active(
        tenant, "s3", "clicks", T0, bucket=bucket, filters=f"advertiser_id eq {first}"
    )
    fail_requests(monkeypatch, "PutObject", ".csv.gz", times=1)  # S3 answers SlowDown once
    run_exports("2026-11-22T10:16:00Z")  # the 10:00 window starts, with the first filter, fails
    _change_filters(integration, f"advertiser_id eq {second}")
    run_exports("2026-11-22T10:31:00Z")  # the 10:00 retry and the 10:15 window
    files = objects(s3_env, bucket)
    advertiser = _index("clicks", "advertiser_id")

    def ids(window: tuple[datetime, datetime], wanted: int) -> list[str]:
        """The clicks of that advertiser received in that window."""
        return sorted(
            row[0]
            for row, received in pairs
            if row[advertiser] == wanted and window[0] <= received < window[1]
        )

    ten, quarter = T0 + timedelta(minutes=15), T0 + timedelta(minutes=30)
    assert sorted(_csv_ids({k: v for k, v in files.items() if "10-00" in k})) == ids(
        (T0, ten), first
    )
    assert sorted(_csv_ids({k: v for k, v in files.items() if "10-15" in k})) == ids(
        (ten, quarter), second
    )
    retried = ExportRun.objects.get(integration=integration, window_start=T0)
    assert (retried.status, retried.attempts) == ("succeeded", 2)


def test_only_late_rows_the_filter_keeps_make_a_new_generation(s3_env: str, tenant: Tenant) -> None:
    events(tenant, "standard_feed", 50, T0, T0 + timedelta(hours=1))
    integration = active(tenant, "s3", "standard_feed", T0, bucket=new_bucket(s3_env),
                         filters="event_type eq imp", **AVRO)  # fmt: skip
    run_exports("2026-11-22T11:11:00Z")
    assert ExportRun.objects.get(integration=integration).status == "succeeded"

    def late(event_type: str) -> None:
        row, _ = next(Generator("standard_feed", 7).rows(1, T0, T0 + timedelta(minutes=1)))
        at = _index("standard_feed", "event_type")
        store_events(
            tenant,
            "standard_feed",
            [((*row[:at], event_type, *row[at + 1 :]), T0 + timedelta(hours=2))],
        )

    late("click")
    with clock.simulated(T0 + timedelta(hours=2, minutes=5)):
        assert reprocess_late_events(clock.now()) == 0
    late("imp")
    with clock.simulated(T0 + timedelta(hours=2, minutes=5)):
        assert reprocess_late_events(clock.now()) == 1


def test_a_recovered_filtered_hour_counts_the_rows_its_filter_kept(
    s3_env: str, tenant: Tenant
) -> None:
    sent = events(tenant, "standard_feed", 300, T0, T0 + timedelta(hours=1))
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", T0, bucket=bucket,
                         filters="event_type eq imp", **AVRO)  # fmt: skip
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(integration=integration)
    kept = sum(1 for row in sent if row[_index("standard_feed", "event_type")] == "imp")
    assert run.rows == kept < len(sent)
    # Killed after the final manifest, before the run was recorded; meanwhile the Admin changed
    # the filter: the recovered attempt counts what it exported, with the filter it began with.
    ExportRun.objects.filter(pk=run.pk).update(
        status=ExportRun.Status.RUNNING, lease_expires_at=T0 + timedelta(hours=1), rows=0
    )
    _change_filters(integration, "event_type ne imp")
    run_exports("2026-11-22T11:41:00Z")
    run.refresh_from_db()
    assert (run.status, run.rows, len(manifest_files(objects(s3_env, bucket)))) == (
        "succeeded",
        kept,
        1,
    )
    assert sorted(_auction_ids(objects(s3_env, bucket))) == sorted(
        row[0] for row in sent if row[_index("standard_feed", "event_type")] == "imp"
    )
