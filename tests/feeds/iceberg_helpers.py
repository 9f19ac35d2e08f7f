"""Reading an exported Iceberg table back, independently of the export's own code: pyiceberg
with its own S3 client on the stand-in, and the rows as comparable tuples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from pyarrow.fs import FileSystem, LocalFileSystem, SubTreeFileSystem
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import StaticTable

from feeds.schema.columns import COLUMNS


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
