"""Parquet for the raw feeds (pyarrow): typed columns — UTC timestamps in microseconds, exact
decimals, 64-bit ids as int64 — compressed with zstd (default) or snappy.

Rows become Arrow record batches of BATCH_ROWS as they come (Arrow's columns are compact; Python
lists of a million rows took 2 GB), and the batches are written as a row group once they hold
ROW_GROUP_BYTES (128 MiB uncompressed, the size readers such as Spark and DuckDB plan their work
by; ~330 k clicks rows); a smaller window is one row group.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..schema.columns import Column
from .base import FormatWriter, Row

ROW_GROUP_BYTES = 128 * 1024 * 1024
BATCH_ROWS = 65_536
ARROW_TYPES: dict[str, pa.DataType] = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "string": pa.string(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def arrow_type(column: Column) -> pa.DataType:
    if column.type == "decimal":
        return pa.decimal128(column.precision, column.scale)
    return ARROW_TYPES[column.type]


class _Sink:
    """What pyarrow writes to: the digest stream, left open for the caller when pyarrow
    closes its writer."""

    def __init__(self, out: Any) -> None:
        self.out, self.closed = out, False

    def write(self, data: Any) -> int:
        return int(self.out.write(bytes(data)))

    def tell(self) -> int:
        return int(self.out.tell())

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.closed = True


class ParquetWriter(FormatWriter):
    data_format = "parquet"
    container_format = "PARQUET"
    compressions = ("ZSTD", "SNAPPY")
    extension = "parquet"
    content_type = "application/vnd.apache.parquet"

    def start(self) -> None:
        self.schema = pa.schema(
            [pa.field(c.public_name, arrow_type(c), nullable=c.nullable) for c in self.columns]
        )
        self._writer = pq.ParquetWriter(
            pa.PythonFile(_Sink(self.out), mode="w"),
            self.schema,
            compression=self.compression.lower(),
        )
        self._buffer: list[list[Any]] = [[] for _ in self.columns]
        self._batches: list[pa.RecordBatch] = []
        self._batched = 0

    def write_rows(self, rows: Iterable[Row]) -> None:
        buffer = self._buffer
        for row in rows:
            for values, value in zip(buffer, row, strict=True):
                values.append(value)
            self.rows += 1
            if len(buffer[0]) == BATCH_ROWS:
                self._batch()
                buffer = self._buffer

    def _batch(self) -> None:
        """The buffered rows as one Arrow record batch; a row group once there are enough."""
        if self._buffer[0]:
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(self._buffer, self.schema, strict=True)
            ]
            batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
            self._batches.append(batch)
            self._batched += batch.nbytes
            self._buffer = [[] for _ in self.columns]
        if self._batched >= ROW_GROUP_BYTES:
            self._row_group()

    def _row_group(self) -> None:
        if self._batches:
            table = pa.Table.from_batches(self._batches, schema=self.schema)
            self._writer.write_table(table, row_group_size=table.num_rows)
            self._batches, self._batched = [], 0

    def finish(self) -> None:
        self._batch()
        self._row_group()
        self._writer.close()
