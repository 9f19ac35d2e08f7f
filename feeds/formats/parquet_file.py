"""A stream of Arrow record batches written to a Parquet file object, in row groups bounded by
bytes: batches are held until they reach `row_group_bytes` (uncompressed, as Arrow holds them),
then written as one row group and let go, so memory stays one row group whatever the rows.

pyarrow writes a row group per `write_table` call and has no writer that encodes batches into an
open row group, hence the holding here. Shared by the raw feeds' Parquet files and any other
Parquet data file (`write_parquet`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# 8 MiB of Arrow data a row group (~22 k clicks rows, ~1 MB of zstd): DuckDB and Spark split
# their work by row group, but a group is held whole until written: 128 MiB took the export to
# 532 MB of RSS, 32 MiB to ~270 MB. Smaller groups hold less but the footer keeps every group's
# column statistics until the file closes: at 10 M rows 16 / 8 / 4 MiB peaked at 271 / 267 /
# 275 MB (bench/, docs/feeds.md "Memory of the Parquet writers").
ROW_GROUP_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ParquetWritten:
    rows: int
    bytes: int
    metadata: pq.FileMetaData  # row groups, column statistics (for table formats' manifests)


class _Sink:
    """What pyarrow writes to: `out` (anything with write), counted, left open for the caller
    when pyarrow closes its writer."""

    def __init__(self, out: Any) -> None:
        self.out, self.size, self.closed = out, 0, False

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.out.write(view)
        self.size += len(view)
        return len(view)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.closed = True


class ParquetStream:
    """`write` record batches of `schema`, in order; `close` writes the footer."""

    def __init__(
        self,
        out: Any,
        schema: pa.Schema,
        *,
        compression: str = "zstd",
        row_group_bytes: int = ROW_GROUP_BYTES,
        dictionary: bool | Sequence[str] = True,
        decimals_as_integers: bool = False,
    ) -> None:
        self.schema, self.row_group_bytes = schema, row_group_bytes
        self._sink = _Sink(out)
        self._writer = pq.ParquetWriter(
            pa.PythonFile(self._sink, mode="w"),
            schema,
            compression=compression.lower(),
            use_dictionary=dictionary if isinstance(dictionary, bool) else list(dictionary),
            # Iceberg's way for a decimal of precision <= 18: its unscaled int32/int64.
            store_decimal_as_integer=decimals_as_integers,
        )
        self._held: list[pa.RecordBatch] = []
        self._held_bytes = 0
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        self._held.append(batch)
        self._held_bytes += batch.nbytes
        self.rows += batch.num_rows
        if self._held_bytes >= self.row_group_bytes:
            self._row_group()

    def _row_group(self) -> None:
        if self._held:
            table = pa.Table.from_batches(self._held, schema=self.schema)
            self._held, self._held_bytes = [], 0
            self._writer.write_table(table, row_group_size=table.num_rows)

    def close(self) -> ParquetWritten:
        self._row_group()
        self._writer.close()
        return ParquetWritten(self.rows, self._sink.size, self._writer.writer.metadata)


def write_parquet(
    batches: Iterable[pa.RecordBatch],
    out: Any,
    schema: pa.Schema,
    *,
    compression: str = "zstd",
    row_group_bytes: int = ROW_GROUP_BYTES,
) -> ParquetWritten:
    """Every batch of `batches` into a Parquet file written to `out` (left open)."""
    stream = ParquetStream(out, schema, compression=compression, row_group_bytes=row_group_bytes)
    for batch in batches:
        stream.write(batch)
    return stream.close()
