"""Reading an exported Iceberg table back, independently of the export's own code: pyiceberg
with its own S3 client on the stand-in or over a copy of any cloud's objects, the rows as
comparable tuples, and an hour and a raw window exported to a cloud and read back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pyarrow.fs import FileSystem, LocalFileSystem, SubTreeFileSystem
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import StaticTable

from exporthub.tenancy.models import Tenant
from feeds.models import IcebergTable
from feeds.schema.columns import COLUMNS
from tests.support.exports import active, events, run_exports

HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
ICEBERG = {"format": "iceberg", "compression": "SNAPPY", "table_path": "/lake/standard"}


def static_table(s3_url: str, metadata_location: str) -> StaticTable:
    """pyiceberg's own reader of a metadata file on the S3 stand-in."""
    return StaticTable.from_metadata(
        metadata_location,
        properties={
            "s3.endpoint": s3_url, "s3.access-key-id": "x", "s3.secret-access-key": "x",
            "s3.region": "us-west-2", "s3.force-virtual-addressing": "false",
        },
    )  # fmt: skip


def table_rows(table: pa.Table, feed: str, names: Sequence[str] | None = None) -> list[Any]:
    """The table's rows as tuples in the feed's column order, sorted."""
    columns = [c.public_name for c in COLUMNS[feed] if not names or c.name in names]
    records = table.select(columns).to_pylist()
    return sorted(tuple(record[name] for name in columns) for record in records)


def duckdb_rows(objects: dict[str, bytes], keys: list[str], tmp: Path, feed: str) -> list[Any]:
    """DuckDB over the data files a table lists (written to local files), sorted rows."""
    paths = []
    for number, key in enumerate(keys):
        path = tmp / f"{number}.parquet"
        path.write_bytes(objects[key])
        paths.append(str(path))
    columns = ", ".join(f'"{c.public_name}"' for c in COLUMNS[feed])
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        return sorted(db.execute(f"SELECT {columns} FROM read_parquet(?)", [paths]).fetchall())


class MirrorFileIO(PyArrowFileIO):
    """pyiceberg's own FileIO, reading every URI (gs://, abfss://, …) from a local copy of the
    bucket's objects at `mirror.root`/<netloc>/<key>: pyiceberg plans and reads the table as
    it would in the cloud, without a client for each stand-in."""

    def _initialize_fs(self, scheme: str, netloc: str | None = None) -> FileSystem:
        return SubTreeFileSystem(self.properties["mirror.root"], LocalFileSystem())


def mirrored_table(
    objects: dict[str, bytes], netloc: str, metadata_location: str, tmp: Path
) -> StaticTable:
    """The table at `metadata_location` as pyiceberg reads it from a copy of `objects`."""
    for key, body in objects.items():
        path = tmp / netloc / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
    return StaticTable.from_metadata(
        metadata_location,
        properties={"py-io-impl": f"{__name__}.MirrorFileIO", "mirror.root": str(tmp)},
    )


def an_hour_and_a_raw_window_read_back(
    cloud: str,
    fields: dict[str, str],
    read: Callable[[], dict[str, bytes]],
    netloc: str,
    tenant: Tenant,
    tmp_path: Path,
) -> str:
    """A log-level hour and a raw window exported as Iceberg tables to the cloud's stand-in
    (`fields`), read back by pyiceberg from a copy of its objects (`read`); the hour's
    metadata location, for the cloud's test to check its form."""
    hourly = active(tenant, cloud, "standard_feed", HOUR, **fields, **ICEBERG)
    raw = active(tenant, cloud, "conversions", HOUR, **fields, format="iceberg",
                 table_path="/lake/conversions")  # fmt: skip
    sent = events(tenant, "standard_feed", 150, HOUR, HOUR + timedelta(hours=1))
    converted = events(tenant, "conversions", 40, HOUR, HOUR + timedelta(minutes=15))
    run_exports("2026-11-22T11:11:00Z")
    objects = read()
    row = IcebergTable.objects.get(integration=hourly)
    assert objects["lake/standard/metadata/version-hint.text"] == b"2"
    table = mirrored_table(objects, netloc, row.metadata_location, tmp_path)
    assert table_rows(table.scan().to_arrow(), "standard_feed") == sorted(sent)
    raw_row = IcebergTable.objects.get(integration=raw)
    raw_table = mirrored_table(objects, netloc, raw_row.metadata_location, tmp_path)
    window = raw_table.scan(row_filter=f"window_start = '{HOUR.isoformat()}'").to_arrow()
    assert table_rows(window, "conversions") == sorted(converted)
    return row.metadata_location
