"""Parquet for the raw feeds (pyarrow): typed columns as the published schema — UTC timestamps
in microseconds, exact decimals, 64-bit ids as int64 — compressed with zstd (default) or snappy.

On PostgreSQL the rows come as binary COPY batches and become Arrow record batches column by
column (arrow_batches), never Python values; SQLite's rows are gathered BATCH_ROWS at a time.
The batches go to parquet_file, which writes a row group each time they reach its byte bound, so
a window of any size is written in the memory of one row group.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from . import arrow_batches, parquet_file
from .base import FormatWriter, Row

if TYPE_CHECKING:
    from .binary_copy import Batch

BATCH_ROWS = 65_536
ROW_GROUP_BYTES = parquet_file.ROW_GROUP_BYTES
# Dictionary encoding where values repeat (codes, ids of offers, countries, …): not for the
# columns whose values are nearly all distinct, where pyarrow would build a dictionary only to
# drop it at its page limit (time spent for nothing).
DISTINCT_TYPES = ("timestamp", "decimal")
DISTINCT_NAMES = ("click_id", "conversion_id", "ip", "user_agent", "referrer", "order_id")


class ParquetWriter(FormatWriter):
    data_format = "parquet"
    container_format = "PARQUET"
    compressions = ("ZSTD", "SNAPPY")
    extension = "parquet"
    content_type = "application/vnd.apache.parquet"
    prepared_types = arrow_batches.PREPARED_TYPES

    def start(self) -> None:
        self.schema = arrow_batches.arrow_schema(self.columns)
        self._file = parquet_file.ParquetStream(
            self.out,
            self.schema,
            compression=self.compression,
            row_group_bytes=ROW_GROUP_BYTES,
            dictionary=[
                c.public_name
                for c in self.columns
                if c.type not in DISTINCT_TYPES and c.name not in DISTINCT_NAMES
            ],
        )
        self._pending = arrow_batches.RowBatches(self.schema, BATCH_ROWS)

    def write_rows(self, rows: Iterable[Row]) -> None:
        before = self._pending.rows
        for batch in self._pending.add(rows):
            self._file.write(batch)
        self.rows += self._pending.rows - before

    def write_batch(self, batch: Batch) -> None:
        self._file.write(arrow_batches.from_copy(self.schema, self.columns, batch))
        self.rows += batch.rows

    def finish(self) -> None:
        for batch in self._pending.rest():
            self._file.write(batch)
        self._file.close()
