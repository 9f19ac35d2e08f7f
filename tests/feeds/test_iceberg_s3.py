"""The `iceberg` format on S3 (issue 36): a table in the bucket, read back by pyiceberg's own
reader, by a reader following the Iceberg spec by hand (tests/support/iceberg_spec.py), and by
DuckDB over the Parquet files the table lists."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.formats import binary_copy
from feeds.iceberg.maintenance import maintain_tables
from feeds.ingestion.store import store_events
from feeds.models import ExportRun, ExportSlice, IcebergTable
from feeds.schema.columns import stored_columns
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, events, run_exports
from tests.support.iceberg_readback import duckdb_rows, static_table, table_rows
from tests.support.iceberg_spec import read_rows, read_spec_table

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
ICEBERG = {"format": "iceberg", "compression": "ZSTD", "table_path": "/lake/standard"}


def test_a_log_level_hour_becomes_one_snapshot_pyiceberg_reads_back(
    s3_env: str, tenant: Tenant, admin_client: Client
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    sent = events(tenant, "standard_feed", 500, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    row = IcebergTable.objects.get(integration=integration)
    assert row.metadata_location == f"s3://{bucket}/lake/standard/metadata/v2.metadata.json"
    files = objects(s3_env, bucket)
    assert files["lake/standard/metadata/version-hint.text"] == b"2"
    table = static_table(s3_env, row.metadata_location)
    snapshot = table.current_snapshot()
    assert snapshot is not None and snapshot.summary is not None
    assert snapshot.summary["added-records"] == "500"
    assert snapshot.summary["added-data-files"] == "1"
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)
    assert all(key.startswith("lake/standard/data/event_time_hour=2026-11-22-10/")
               for key in files if "/data/" in key)  # fmt: skip
    assert not [key for key in files if "manifests/" in key or key.startswith("feeds/")]
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert row.metadata_location in page
    assert "does not use the manifest protocol" in page


def test_each_hour_is_its_partition_and_the_spec_reader_and_duckdb_agree(
    s3_env: str, tenant: Tenant, tmp_path: Path
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "segment_feed", HOUR, bucket=bucket, **ICEBERG)
    first = events(tenant, "segment_feed", 300, HOUR, HOUR + timedelta(hours=1))
    second = events(tenant, "segment_feed", 200, HOUR + timedelta(hours=1),
                    HOUR + timedelta(hours=2), seed=4)  # fmt: skip
    run_exports("2026-11-22T12:11:00Z")
    files = objects(s3_env, bucket)
    spec = read_spec_table(files, f"s3://{bucket}", "lake/standard")
    assert spec.metadata["current-snapshot-id"] == spec.snapshot["snapshot-id"]  # type: ignore[index]
    assert spec.metadata["partition-specs"][0]["fields"] == [
        {"source-id": 1, "field-id": 1000, "transform": "hour", "name": "date_time_hour"}
    ]
    hours = sorted(entry["partition"]["date_time_hour"] for entry in spec.data_files)
    epoch_hour = int(HOUR.timestamp()) // 3600
    assert hours == [epoch_hour, epoch_hour + 1]
    rows = table_rows(read_rows(files, spec), "segment_feed")
    assert rows == sorted(exported_segment(first + second))
    assert duckdb_rows(files, spec.keys, tmp_path, "segment_feed") == rows
    row = IcebergTable.objects.get(integration=integration)
    pyiceberg = static_table(s3_env, row.metadata_location).scan().to_arrow()
    assert table_rows(pyiceberg, "segment_feed") == rows
    field_ids = {f["name"]: f["id"] for f in spec.metadata["schemas"][0]["fields"]}
    assert field_ids["date_time"] == 1 and field_ids["partition_time_millis"] == 8


def exported_segment(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Stored segment rows as exported: partition_time_millis is the row's hour."""
    return [(*row, int(row[0].timestamp()) // 3600 * 3_600_000) for row in rows]  # type: ignore[attr-defined]


def test_a_late_event_generation_replaces_the_hour_in_a_new_snapshot(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    sent = events(tenant, "standard_feed", 100, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    first = IcebergTable.objects.get(integration=integration)
    late, _ = next(Generator("standard_feed", 5).rows(1, HOUR, HOUR + timedelta(minutes=1)))
    store_events(tenant, "standard_feed", [(late, HOUR + timedelta(hours=1, minutes=30))])
    run_exports("2026-11-22T12:11:00Z")
    generations = ExportRun.objects.filter(integration=integration, window_start=HOUR)
    assert sorted(run.generation for run in generations) == [0, 1]
    row = IcebergTable.objects.get(integration=integration)
    table = static_table(s3_env, row.metadata_location)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted([*sent, late])
    # One snapshot per hour's run: the late generation's replaced the hour's file.
    (snapshot,) = [
        s for s in table.snapshots()
        if s.summary and s.summary["exporthub.run-id"] == str(generations.get(generation=1).pk)
    ]  # fmt: skip
    assert snapshot.summary is not None
    assert snapshot.summary.operation.value == "overwrite"
    assert snapshot.summary["deleted-data-files"] == "1"
    assert snapshot.summary["deleted-records"] == "100"
    assert snapshot.summary["added-records"] == "101"
    # The first generation is still there for time travel until it expires.
    earlier = static_table(s3_env, first.metadata_location).scan().to_arrow()
    assert table_rows(earlier, "standard_feed") == sorted(sent)
    spec = read_spec_table(objects(s3_env, bucket), f"s3://{bucket}", "lake/standard")
    assert table_rows(read_rows(objects(s3_env, bucket), spec), "standard_feed") == sorted(
        [*sent, late]
    )


def test_raw_windows_are_partitions_of_their_window_start_and_hold_the_chosen_columns(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(
        tenant, "s3", "clicks", HOUR, bucket=bucket, format="iceberg", table_path="/lake/clicks",
        columns="event_time, click_id, country",
    )  # fmt: skip
    sent = events(tenant, "clicks", 120, HOUR, HOUR + timedelta(minutes=30))
    run_exports("2026-11-22T10:31:00Z")
    files = objects(s3_env, bucket)
    spec = read_spec_table(files, f"s3://{bucket}", "lake/clicks")
    windows = sorted(entry["partition"]["window_start"] for entry in spec.data_files)
    assert windows == [HOUR, HOUR + timedelta(minutes=15)]  # timestamp-micros in the manifests
    table = read_rows(files, spec)
    assert table.column_names == ["event_time", "click_id", "country", "window_start"]
    field_ids = [f["id"] for f in spec.metadata["schemas"][0]["fields"]]
    assert field_ids == [2, 1, 13, 1000]
    row = IcebergTable.objects.get(integration=integration)
    summaries = [snapshot["summary"] for snapshot in row.metadata["snapshots"]]
    assert [s["exporthub.window-start"] for s in summaries] == [
        "2026-11-22T10:00:00+00:00", "2026-11-22T10:15:00+00:00"
    ]  # fmt: skip
    assert sum(int(s["added-records"]) for s in summaries) == len(sent)
    assert not [s for s in summaries if "deleted-data-files" in s]  # windows add partitions
    read = sorted((r["click_id"], r["event_time"], r["country"]) for r in table.to_pylist())
    assert read == sorted((r[0], r[1], r[12]) for r in sent)


def test_expired_snapshots_and_the_files_only_they_referenced_are_removed(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    sent = events(tenant, "standard_feed", 60, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    late, _ = next(Generator("standard_feed", 5).rows(1, HOUR, HOUR + timedelta(minutes=1)))
    store_events(tenant, "standard_feed", [(late, HOUR + timedelta(hours=1, minutes=30))])
    run_exports("2026-11-22T12:11:00Z")
    before = objects(s3_env, bucket)
    first = IcebergTable.objects.get(integration=integration).metadata["snapshots"][0]
    assert len([key for key in before if key.endswith(".parquet")]) == 2
    settings.ICEBERG_SNAPSHOT_RETENTION_DAYS = 7  # nothing is that old: only orphans would go
    assert maintain_tables(timezone.now()) == 0
    settings.ICEBERG_SNAPSHOT_RETENTION_DAYS = 0
    removed = maintain_tables(timezone.now())
    row = IcebergTable.objects.get(integration=integration)
    assert len(row.metadata["snapshots"]) == 1  # the current one only
    after = objects(s3_env, bucket)
    gone = set(before) - set(after)
    assert len(gone) == removed
    assert first["manifest-list"].removeprefix(f"s3://{bucket}/") in gone
    assert len([key for key in gone if key.endswith(".parquet")]) == 1  # the replaced generation
    spec = read_spec_table(after, f"s3://{bucket}", "lake/standard")
    assert table_rows(read_rows(after, spec), "standard_feed") == sorted([*sent, late])
    table = static_table(s3_env, row.metadata_location)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted([*sent, late])


def test_a_large_hour_is_never_sliced_and_commits_its_data_files_once(
    s3_env: str, tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.EXPORT_SLICE_ROWS = 10  # manifests' hours of 50 rows would go in five slices
    settings.EXPORT_PART_BYTES = 1  # a data file per chunk of rows
    # Chunks: 1 000 rows from the ORM, a binary COPY batch on PostgreSQL (made small here).
    monkeypatch.setattr(binary_copy, "BATCH_BYTES", 64 * 1024)
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **ICEBERG)
    sent = events(tenant, "standard_feed", 2500, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    assert not ExportSlice.objects.filter(run__integration=integration).exists()
    row = IcebergTable.objects.get(integration=integration)
    (snapshot,) = row.metadata["snapshots"]
    files = [key for key in objects(s3_env, bucket) if key.endswith(".parquet")]
    assert int(snapshot["summary"]["added-data-files"]) == len(files) > 1
    assert snapshot["summary"]["added-records"] == "2500"
    table = static_table(s3_env, row.metadata_location)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)


def test_a_row_filter_keeps_only_its_rows_in_the_table(s3_env: str, tenant: Tenant) -> None:
    # The table's rows are read like every other format's: through the run's filter.
    bucket = new_bucket(s3_env)
    sent = events(tenant, "standard_feed", 400, HOUR, HOUR + timedelta(hours=1))
    names = [c.name for c in stored_columns("standard_feed")]
    kept = sorted(row for row in sent if row[names.index("event_type")] == "imp")
    assert 0 < len(kept) < len(sent)
    integration = active(
        tenant, "s3", "standard_feed", HOUR, bucket=bucket, filters="event_type eq imp", **ICEBERG
    )
    run_exports("2026-11-22T11:11:00Z")
    row = IcebergTable.objects.get(integration=integration)
    table = static_table(s3_env, row.metadata_location)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == kept
    assert ExportRun.objects.get(integration=integration).rows == len(kept)
