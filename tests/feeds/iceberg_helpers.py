"""Reading an exported Iceberg table back, independently of the export's own code: pyiceberg
with its own S3 client on the stand-in, and the rows as comparable tuples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
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
