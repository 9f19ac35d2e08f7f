"""Parquet data files of an Iceberg table: the table's schema with its field ids in the file
(`PARQUET:field_id`), so engines match columns by id, and the statistics the manifests carry.

Rows come as Python values and become Arrow record batches of BATCH_ROWS; batches are written as
a row group once ROW_GROUP_ROWS are buffered, so an hour of any size is written in flat memory
(bench/: an hour of 1 M standard-feed rows)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.io.pyarrow import (
    compute_statistics_plan,
    data_file_statistics_from_parquet_metadata,
    parquet_path_to_id_mapping,
    schema_to_pyarrow,
)
from pyiceberg.manifest import DataFile, DataFileContent, FileFormat
from pyiceberg.schema import Schema
from pyiceberg.typedef import Record

from ..formats.base import FormatWriter, Row
from .schema import table_columns, table_schema

BATCH_ROWS = 4_096
# Bound memory (bench/: an hour of 1 M standard-feed rows; README "Performance"); row groups of
# 128 k rows would make files ~40 % smaller but peak ~100 MB higher.
ROW_GROUP_ROWS = 32_768


class _Sink:
    """What pyarrow writes to: the digest stream, left open for the caller."""

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


class IcebergParquetWriter(FormatWriter):
    """One data file. `window_start`: a raw window's start, the value of every row's
    `window_start` column (schema.WINDOW_START)."""

    data_format = "iceberg"
    container_format = "PARQUET"
    compressions = ("ZSTD", "SNAPPY")
    extension = "parquet"
    content_type = "application/vnd.apache.parquet"

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
        self.schema = schema_to_pyarrow(self.iceberg_schema)
        self._writer = pq.ParquetWriter(
            pa.PythonFile(_Sink(self.out), mode="w"), self.schema,
            compression=self.compression.lower(), store_decimal_as_integer=True,
        )  # fmt: skip
        self._buffer: list[list[Any]] = [[] for _ in self.columns]
        self._batches: list[pa.RecordBatch] = []
        self._batched = 0
        self.metadata: pq.FileMetaData | None = None

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
        count = len(self._buffer[0])
        if count:
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(self._buffer, self.schema, strict=False)
            ]
            if self.window_start is not None:
                arrays.append(pa.array([self.window_start] * count, type=self.schema[-1].type))
            self._batches.append(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
            self._batched += count
            self._buffer = [[] for _ in self.columns]
        if self._batched >= ROW_GROUP_ROWS:
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
        self.metadata = self._writer.writer.metadata

    def data_file(self, location: str, size: int, partition: Record, spec_id: int) -> DataFile:
        """The manifest entry of this (closed) file, stored at `location`."""
        if self.metadata is None:
            raise RuntimeError("close() the data file first")
        statistics = data_file_statistics_from_parquet_metadata(
            parquet_metadata=self.metadata,
            stats_columns=compute_statistics_plan(self.iceberg_schema, {}),
            parquet_column_mapping=parquet_path_to_id_mapping(self.iceberg_schema),
        )
        return DataFile.from_args(
            content=DataFileContent.DATA, file_path=location, file_format=FileFormat.PARQUET,
            partition=partition, file_size_in_bytes=size, sort_order_id=None, spec_id=spec_id,
            equality_ids=None, key_metadata=None, **statistics.to_serialized_dict(),
        )  # fmt: skip
