"""Parquet and JSON Lines of a raw window as written at speed (issue 35): Parquet from binary
COPY batches into row groups bounded by bytes, JSON Lines rendered by PostgreSQL itself. Both
must read back as the rows stored, in order, with pyarrow, DuckDB and `json`; on SQLite the same
tests run through the Python writers."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.formats import arrow_batches, binary_copy, parquet, parquet_file, writer_class
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.runs.reading import window_rows
from feeds.schema.columns import COLUMNS
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, run_exports

from .conftest import copy_batch, edge_rows

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
BASE = "2026/11/22/2026-11-22-10-00"
# Strings JSON must escape or keep as they are; U+0001 and U+0002 are the delimiter and quote
# PostgreSQL's rendering is sent with.
TRICKY = [
    'a "quoted", multi\nline',
    "",
    "tab\there, back\\slash, \\n not a line break",
    "ünïcödé 😀 \u2028 \u2029 \x7f",
    "\r\n",
    "control \x01 \x02 \x1f \x08 \x0c",
    "\\.",
    "</script>",
]


def _store(tenant: Tenant, feed: str, count: int) -> list[tuple[Any, ...]]:
    """`count` synthetic rows, then every edge row and the tricky strings, each received a
    moment after the last: the order of received time is the order of the list."""
    rows = [row for row, _ in Generator(feed, 9).rows(count, T0, T0 + timedelta(minutes=15))]
    # SQLite keeps decimals as doubles: only 15 significant digits round-trip there.
    rows += [row for row in edge_rows(feed) if not any(_wide(value) for value in row)]
    strings = [i for i, c in enumerate(COLUMNS[feed]) if c.type == "string" and c.nullable]
    for text in TRICKY:
        row = list(rows[0])
        row[strings[0]], row[strings[1]] = text, None
        rows.append(tuple(row))
    received = T0 + timedelta(minutes=1)
    store_events(tenant, feed, [(row, received + timedelta(milliseconds=i)) for i, row in
                                enumerate(rows)])  # fmt: skip
    return rows


def _wide(value: Any) -> bool:
    return isinstance(value, Decimal) and len(value.as_tuple().digits) > 15


def _export(s3_env: str, tenant: Tenant, feed: str, data_format: str) -> dict[str, bytes]:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", feed, T0, bucket=bucket, directory=f"/{feed}", format=data_format)
    run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get()
    assert run.status == "succeeded", (run.error_code, run.error_message)
    return objects(s3_env, bucket)


@pytest.mark.parametrize("feed", ["clicks", "conversions"])
def test_json_lines_the_database_renders_are_the_python_writers_bytes(
    s3_env: str, tenant: Tenant, feed: str
) -> None:
    rows = _store(tenant, feed, 60)
    files = _export(s3_env, tenant, feed, "jsonl")
    text = gzip.decompress(files[f"{feed}/{BASE}.jsonl.gz"])
    # The Python writer, on the stored rows as the ORM reads them (SQLite's path).
    python = io.BytesIO()
    writer = writer_class("jsonl")(feed, python)
    writer.write_rows(
        window_rows(feed, tenant.pk, "received_at", T0, T0 + timedelta(minutes=15), filters=())
    )
    writer.close()
    assert text == gzip.decompress(python.getvalue())
    names = [column.name for column in COLUMNS[feed]]
    records = [json.loads(line) for line in text.split(b"\n")[:-1]]
    assert len(records) == len(rows) == ExportRun.objects.get().rows
    assert [r["sub1" if feed == "clicks" else names[0]] for r in records][-1] is not None
    assert all(list(record) == names for record in records)


@pytest.mark.parametrize("feed", ["clicks", "conversions"])
def test_a_parquet_window_of_several_row_groups_reads_back_complete_and_in_order(
    s3_env: str, tenant: Tenant, feed: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 16 * 1024)
    monkeypatch.setattr(parquet, "BATCH_ROWS", 25)  # SQLite's rows, gathered
    monkeypatch.setattr(binary_copy, "BATCH_BYTES", 4 * 1024)  # PostgreSQL's COPY batches
    rows = _store(tenant, feed, 400)
    data = _export(s3_env, tenant, feed, "parquet")[f"{feed}/{BASE}.parquet"]
    names = [column.name for column in COLUMNS[feed]]
    read = pq.ParquetFile(io.BytesIO(data))
    assert read.metadata.num_row_groups >= 4
    assert [tuple(r[n] for n in names) for r in read.read().to_pylist()] == rows
    path = tmp_path / "window.parquet"
    path.write_bytes(data)
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        got = db.execute("SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    assert [tuple(v.astimezone(UTC) if isinstance(v, datetime) else v for v in row)
            for row in got] == rows  # fmt: skip


@pytest.mark.parametrize("feed", ["clicks", "conversions", "standard_feed"])
def test_arrow_columns_from_copy_batches_equal_those_from_python_values(feed: str) -> None:
    """Every column type at its extremes and null, built from the bytes of PostgreSQL's binary
    COPY (numpy gathers, string spans) and from Python values by pyarrow."""
    rows = edge_rows(feed)
    columns = COLUMNS[feed]
    schema = arrow_batches.arrow_schema(columns)
    batch = copy_batch(feed, rows, arrow_batches.PREPARED_TYPES)
    from_copy = arrow_batches.from_copy(schema, columns, batch)
    from_rows = arrow_batches.from_rows(
        schema, [list(values) for values in zip(*rows, strict=True)]
    )
    from_copy.validate(full=True)
    assert from_copy.equals(from_rows)
    assert from_copy.to_pylist() == from_rows.to_pylist()


def test_write_parquet_writes_any_batch_stream_in_bounded_row_groups_and_says_what_it_wrote() -> (
    None
):
    """The function other Parquet data files share: rows, bytes and the footer it wrote."""
    columns = COLUMNS["clicks"]
    schema = arrow_batches.arrow_schema(columns)
    rows = edge_rows("clicks")
    batches = [
        arrow_batches.from_rows(schema, [list(v) for v in zip(*rows[i : i + 4], strict=True)])
        for i in range(0, len(rows), 4)
    ]
    out = io.BytesIO()
    bound = batches[0].nbytes + 1  # two batches a row group
    written = parquet_file.write_parquet(iter(batches), out, schema, row_group_bytes=bound)
    assert (written.rows, written.bytes) == (len(rows), len(out.getvalue()))
    # A row group closes with the batch that brings it to the bound: the rows of each.
    expected, held, rows_held = [], 0, 0
    for batch in batches:
        held, rows_held = held + batch.nbytes, rows_held + batch.num_rows
        if held >= bound:
            expected.append(rows_held)
            held, rows_held = 0, 0
    expected += [rows_held] if rows_held else []
    read = pq.ParquetFile(io.BytesIO(out.getvalue()))
    groups = [read.metadata.row_group(i).num_rows for i in range(read.metadata.num_row_groups)]
    assert groups == expected and len(groups) > 2
    assert written.metadata.num_row_groups == len(groups)
    assert read.read().to_pylist() == pa.Table.from_batches(batches).to_pylist()
