"""Parquet data files of an Iceberg table: the table's schema with its field ids in the file
(`PARQUET:field_id`), so engines match columns by id, and the statistics the manifests carry.

Written as the raw feeds' Parquet is (issue 36): on PostgreSQL the rows come as binary COPY
batches, each made an Arrow record batch column by column (formats.arrow_batches), never a
Python value per field; SQLite's rows are gathered BATCH_ROWS at a time. Batches go to
formats.parquet_file, which writes a row group each time they reach its byte bound, so an hour
of any size is written in the memory of one row group (bench/: 1 M standard-feed rows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.schema import Schema
from pyiceberg.typedef import Record

from ..formats import arrow_batches, parquet_file
from ..formats.base import FormatWriter, Row
from .schema import arrow_schema, table_columns, table_schema
from .statistics import statistics

if TYPE_CHECKING:
    from ..formats.binary_copy import Batch

BATCH_ROWS = 4_096
ROW_GROUP_BYTES = parquet_file.ROW_GROUP_BYTES


class IcebergParquetWriter(FormatWriter):
    """One data file. `window_start`: a raw window's start, the value of every row's
    `window_start` column (schema.WINDOW_START)."""

    data_format = "iceberg"
    container_format = "PARQUET"
    compressions = ("ZSTD", "SNAPPY")
    extension = "parquet"
    content_type = "application/vnd.apache.parquet"
    prepared_types = arrow_batches.PREPARED_TYPES

    def __init__(
        self,
        feed: str,
        stream: IO[bytes],
        compression: str | None = None,
        *,
        columns: Any = None,
        window_start: datetime | None = None,
    ) -> None:
        self.window_start = window_start
        self.names = columns or None
        super().__init__(feed, stream, compression, columns=columns)

    def start(self) -> None:
        self.columns = table_columns(self.feed, self.names)
        self.iceberg_schema: Schema = table_schema(self.feed, self.names)
        self.schema = arrow_schema(self.iceberg_schema)
        # The feed's own columns (a raw table's window_start is added to each batch).
        self._columns = pa.schema(list(self.schema)[: len(self.columns)])
        self._file = parquet_file.ParquetStream(
            self.out, self.schema, compression=self.compression, row_group_bytes=ROW_GROUP_BYTES,
            decimals_as_integers=True,
        )  # fmt: skip
        self._pending = arrow_batches.RowBatches(self._columns, BATCH_ROWS)
        self.metadata: Any = None  # the footer's, once closed

    def write_batch(self, batch: Batch) -> None:
        self._write(arrow_batches.from_copy(self._columns, self.columns, batch))
        self.rows += batch.rows

    def write_rows(self, rows: Iterable[Row]) -> None:
        before = self._pending.rows
        for batch in self._pending.add(rows):
            self._write(batch)
        self.rows += self._pending.rows - before

    def _write(self, batch: pa.RecordBatch) -> None:
        arrays = batch.columns
        if self.window_start is not None:
            micros = pa.scalar(self.window_start, type=self.schema[-1].type)
            arrays.append(pa.repeat(micros, batch.num_rows))
        self._file.write(pa.RecordBatch.from_arrays(arrays, schema=self.schema))

    def finish(self) -> None:
        for batch in self._pending.rest():
            self._write(batch)
        self.metadata = self._file.close().metadata

    def data_file(self, location: str, size: int, partition: Record, spec_id: int) -> DataFile:
        """The manifest entry of this (closed) file, stored at `location`."""
        if self.metadata is None:
            raise RuntimeError("close() the data file first")
        return DataFile.from_args(
            content=DataFileContent.DATA, file_path=location, file_format=FileFormat.PARQUET,
            partition=partition, file_size_in_bytes=size, sort_order_id=None, spec_id=spec_id,
            equality_ids=None, key_metadata=None, **statistics(self.iceberg_schema, self.metadata),
        )  # fmt: skip
