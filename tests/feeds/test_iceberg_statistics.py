"""An Iceberg data file's manifest statistics (issue 36): the same as pyiceberg's own writer
derives, without the export loading `pyiceberg.io.pyarrow` and the PyArrow libraries it brings
(~20 MB of every worker's RSS)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from pyiceberg.io.pyarrow import (
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
    schema_to_pyarrow,
)
from pyiceberg.typedef import Record

from feeds.iceberg import writer as writer_module
from feeds.iceberg.schema import arrow_schema, table_schema
from feeds.iceberg.statistics import statistics
from feeds.iceberg.writer import IcebergParquetWriter
from feeds.schema.columns import Column

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 20, 10, tzinfo=UTC)
# Past the 16 characters a bound keeps, non-ASCII, and one at the last code point, whose upper
# bound cannot be rounded up (and is then left out).
STRINGS = ("a", "ü" * 20 + "z", "\U0010ffff" * 17, "plain-" * 4, "€uro")


def _value(column: Column, i: int) -> Any:
    if column.nullable and i % 5 == 0:
        return None
    if column.type == "string":
        return STRINGS[i % len(STRINGS)] + str(i)
    if column.type == "timestamp":
        return START + timedelta(microseconds=i * 1_234_567)
    if column.type == "decimal":
        return Decimal(i * 7 - 300).scaleb(-column.scale)
    if column.type == "bool":
        return i % 3 == 0
    return i * 7919 - 20_000 if column.type == "int64" else i % 1000 - 500


def _data_file(feed: str, rows: int, monkeypatch: pytest.MonkeyPatch) -> IcebergParquetWriter:
    # A row group per 100 rows: several, as in an hour's file.
    monkeypatch.setattr(writer_module, "BATCH_ROWS", 100)
    monkeypatch.setattr(writer_module, "ROW_GROUP_BYTES", 1)
    raw = feed == "clicks"
    writer = IcebergParquetWriter(feed, io.BytesIO(), "ZSTD", window_start=START if raw else None)
    writer.write_rows(tuple(_value(c, i) for c in writer.columns) for i in range(rows))
    writer.close()
    return writer


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_gives_a_manifest_the_statistics_pyicebergs_writer_derives(
    feed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = _data_file(feed, 450, monkeypatch)
    schema, metadata = writer.iceberg_schema, writer.metadata
    assert metadata is not None and metadata.num_row_groups == 5
    theirs = data_file_statistics_from_parquet_metadata(
        parquet_metadata=metadata,
        stats_columns=compute_statistics_plan(schema, {}),
        parquet_column_mapping=parquet_path_to_id_mapping(schema),
    ).to_serialized_dict()
    ours = statistics(schema, metadata)
    assert ours == theirs
    assert ours["upper_bounds"] and ours["null_value_counts"]  # not vacuous


def test_its_arrow_schema_is_pyicebergs_with_field_ids_and_docs() -> None:
    def fields(schema: pa.Schema) -> list[Any]:
        # Parquet has one string type: Arrow's 32- or 64-bit offsets are the same column.
        large = {pa.string(): pa.large_string()}
        return [(f.name, large.get(f.type, f.type), f.nullable, f.metadata) for f in schema]

    for feed in ("clicks", "standard_feed"):
        schema = table_schema(feed)
        assert fields(arrow_schema(schema)) == fields(schema_to_pyarrow(schema))


def test_the_manifest_entry_carries_the_statistics(monkeypatch: pytest.MonkeyPatch) -> None:
    writer = _data_file("standard_feed", 250, monkeypatch)
    entry = writer.data_file("s3://bucket/t/data/x.parquet", 123, Record(1), 0)
    assert writer.metadata is not None
    assert entry.record_count == 250 and entry.split_offsets == sorted(entry.split_offsets or [])
    assert entry.lower_bounds == statistics(writer.iceberg_schema, writer.metadata)["lower_bounds"]


def test_writing_an_iceberg_data_file_leaves_pyarrows_dataset_libraries_unloaded() -> None:
    # The export's whole module, a data file written and its manifest entry made: what a worker
    # exporting an Iceberg table loads.
    code = """
import sys, io, django
django.setup()
from pyiceberg.typedef import Record
from feeds.iceberg import export
from feeds.iceberg.writer import IcebergParquetWriter
writer = IcebergParquetWriter("standard_feed", io.BytesIO(), "ZSTD")
writer.close()
writer.data_file("s3://b/t/data/x.parquet", 1, Record(1), 0)
print(sorted(m for m in ("pyarrow.dataset", "pyiceberg.io.pyarrow") if m in sys.modules))
"""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "[]"
