"""A log-level hour's rows as the export reads them: on PostgreSQL binary COPY batches of
prepared values (epoch microseconds, decimal text, unscaled decimal bytes) encoded a batch at a
time, elsewhere Python values row by row; the same rows either way."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from django.db import connection

from exporthub.tenancy.models import Tenant
from feeds.formats import writer_class
from feeds.ingestion.store import store_events
from feeds.models import ExportRun
from feeds.runs import reading
from feeds.runs.export import execute
from feeds.runs.reading import hour_rows
from feeds.schema.columns import COLUMNS
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import active, valid_manifest

from .conftest import HOUR, edge_rows, synthetic_rows
from .readers import message_row, read_avro, read_delimited

FORMATS = [
    ("avro", "NONE"),
    ("avro", "DEFLATE"),
    ("avro", "SNAPPY"),
    ("protobuf-delimited", "NONE"),
    ("protobuf-delimited", "GZIP"),
]
NAMES = [column.name for column in COLUMNS["standard_feed"]]
EVENT_TIME = NAMES.index("event_time")


def _at(row: tuple[Any, ...], moment: datetime) -> tuple[Any, ...]:
    values = list(row)
    values[EVENT_TIME] = moment
    return tuple(values)


def _stored(tenant: Tenant, start: datetime) -> list[tuple[Any, ...]]:
    """Edge values of every column and ordinary rows, at distinct times within the hour."""
    rows = [*edge_rows("standard_feed"), *synthetic_rows("standard_feed", 50)]
    if connection.vendor == "sqlite":  # decimals are doubles there (docs/feeds.md)
        rows = [row for row in rows if all(_exact_in_a_double(value) for value in row)]
    rows = [_at(row, start + timedelta(microseconds=7 * i + 1)) for i, row in enumerate(rows)]
    store_events(tenant, "standard_feed", [(row, start) for row in rows])
    return rows


def _exact_in_a_double(value: Any) -> bool:
    return not isinstance(value, Decimal) or len(value.as_tuple().digits) <= 15


def _read_back(data_format: str, compression: str, start: datetime, tenant: Tenant) -> Any:
    writer = writer_class(data_format)
    end = start + timedelta(hours=1)
    rows, batches = hour_rows(
        writer, "standard_feed", tenant.pk, start, end, received_before=end, filters=()
    )
    assert batches is (connection.vendor == "postgresql")
    buffer = io.BytesIO()
    part = writer("standard_feed", buffer, compression)
    if batches:
        for batch in rows:
            part.write_records(writer.encode("standard_feed", batch))
    else:
        part.write_rows(rows)
    part.close()
    data = buffer.getvalue()
    if data_format == "avro":
        return [tuple(record[name] for name in NAMES) for record in read_avro(data)]
    if compression == "GZIP":
        import gzip

        data = gzip.decompress(data)
    return [message_row("standard_feed", m) for m in read_delimited(data, "standard_feed")]


@pytest.mark.django_db
@pytest.mark.parametrize(("data_format", "compression"), FORMATS)
def test_every_value_survives_the_export_read(
    tenant: Tenant, data_format: str, compression: str
) -> None:
    stored = _stored(tenant, HOUR)
    assert _read_back(data_format, compression, HOUR, tenant) == stored


@pytest.mark.django_db
@pytest.mark.parametrize("data_format", ["avro", "protobuf-delimited"])
def test_times_before_the_epoch_are_exact(tenant: Tenant, data_format: str) -> None:
    start = datetime(1969, 12, 31, 23, 0, tzinfo=UTC)
    stored = [_at(row, start + timedelta(minutes=59, seconds=59, microseconds=999_999 - i))
              for i, row in enumerate(synthetic_rows("standard_feed", 3))]  # fmt: skip
    store_events(tenant, "standard_feed", [(row, start) for row in stored])
    assert _read_back(data_format, "NONE", start, tenant) == stored[::-1]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_rows_stream_on_their_own_connection(tenant: Tenant) -> None:
    """The path workers take: rows streamed on a second connection while the ledger extends the
    lease on Django's after every part."""
    stored = _stored(tenant, HOUR)
    assert _read_back("protobuf-delimited", "GZIP", HOUR, tenant) == stored


@pytest.mark.django_db(transaction=True)
def test_a_worker_export_with_many_parts_publishes_every_row(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    settings.EXPORT_PART_BYTES = 20_000
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket,
                         format="protobuf-delimited", compression="NONE")  # fmt: skip
    stored = [_at(row, HOUR + timedelta(milliseconds=500 * i))
              for i, row in enumerate(synthetic_rows("standard_feed", 4000))]  # fmt: skip
    store_events(tenant, "standard_feed", [(row, HOUR) for row in stored])
    run = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(hours=1)
    )
    done = execute(run.pk)
    assert done is not None and done.status == "succeeded", done and done.error_message
    files = objects(s3_env, bucket)
    manifest = valid_manifest(next(v for k, v in files.items() if k.endswith(".json")))
    assert len(manifest["files"]) >= 3
    back = [
        message_row("standard_feed", message)
        for entry in manifest["files"]
        for key, data in files.items()
        if key.endswith(entry["name"])
        for message in read_delimited(data, "standard_feed")
    ]
    assert back == stored


def test_a_writer_without_prepared_types_refuses_batches() -> None:
    with pytest.raises(NotImplementedError, match="Python values only"):
        writer_class("csv")("clicks", io.BytesIO(), "GZIP").write_records(pa.array([b""]))


@pytest.mark.django_db
def test_rows_read_page_by_page_keep_rows_of_one_time_across_a_page_boundary(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ORM path reads pages of CHUNK_ROWS after the last row's (time, id): rows sharing a
    time on both sides of a page's end are read once each, in order; later and earlier rows,
    and rows received after the cutoff, stay out."""
    monkeypatch.setattr(reading, "CHUNK_ROWS", 4)
    times = [HOUR, *[HOUR + timedelta(seconds=1)] * 9, HOUR + timedelta(seconds=2)]
    rows = [
        _at(row, at) for row, at in zip(synthetic_rows("standard_feed", 11), times, strict=True)
    ]
    before, after = HOUR - timedelta(microseconds=1), HOUR + timedelta(hours=1)
    early, late = synthetic_rows("standard_feed", 2)
    outside = [_at(early, before), _at(late, after)]
    store_events(tenant, "standard_feed", [(row, HOUR) for row in rows + outside])
    store_events(tenant, "standard_feed", [(_at(rows[1], HOUR), HOUR + timedelta(hours=2))])
    read = list(
        reading.window_rows("standard_feed", tenant.pk, "event_time", HOUR,
                            HOUR + timedelta(hours=1), HOUR + timedelta(hours=1), filters=())
    )  # fmt: skip
    assert [row[EVENT_TIME] for row in read] == times
    assert [row[0] for row in read] == [row[0] for row in rows]
