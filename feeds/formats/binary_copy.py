"""A log-level hour as PostgreSQL's binary COPY sends it, its fields located in bulk (issue 20).

Decoding every value into a Python object cost more than writing the file, so on PostgreSQL the
Avro and protobuf writers take the rows as the server sends them: the bytes of many rows back to
back and, for every field, where in them its value starts and how long it is (-1: null). The
writers then encode whole columns with numpy and copy strings straight from these bytes.

Rows are found by message: the protocol sends one CopyData message per row ("messages sent from
the backend will always correspond to single data rows"), so their lengths give each row's start
without reading it; fields are then walked one column at a time across all rows of a batch (a
length, then that many bytes; the layout is PostgreSQL's documented COPY BINARY file format).
Every row is checked to hold exactly its fields and end where its message ended, so bytes read
any other way fail loudly instead of shifting values between columns.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from django.db import connection
from psycopg import pq, sql

SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
HEADER_BYTES = len(SIGNATURE) + 8  # then flags (int32) and a header extension length (int32)
TRAILER = b"\xff\xff"  # a field count of -1 ends the data
POSTGRES_EPOCH_MICROS = 946_684_800_000_000  # 2000-01-01 UTC, where binary timestamps count from
# Rows parsed and encoded at once, ~5 000 standard-feed rows: their arrays stay in the CPU's
# caches (1 MiB and 8 MiB measured slower, 8 MiB with 60 MB more RSS; docs/feeds.md).
BATCH_BYTES = 2 * 1024 * 1024


class CopyFormatError(psycopg.DataError):
    """The COPY data did not have the layout asked for (never expected from PostgreSQL)."""


@dataclass(frozen=True)
class Batch:
    """Consecutive rows: `data` their bytes; per field, `starts` and `sizes` (-1: null)."""

    data: np.ndarray  # uint8
    rows: int
    starts: tuple[np.ndarray, ...]  # int64, one array per field
    sizes: tuple[np.ndarray, ...]  # int64

    def present(self, field: int) -> np.ndarray:
        return self.sizes[field] >= 0

    def micros(self, field: int) -> np.ndarray:
        """A timestamptz field as microseconds since the Unix epoch (a null reads 0)."""
        values = self.integers(field)
        values[self.sizes[field] >= 0] += POSTGRES_EPOCH_MICROS
        return values

    def integers(self, field: int) -> np.ndarray:
        """A bigint, integer or boolean field as int64 (a null reads 0)."""
        width = int(self.sizes[field].max()) if self.rows else 8
        if width <= 0:  # every value null
            return np.zeros(self.rows, np.int64)
        at = at_every_byte(self.data, f">i{width}")
        integers = at[np.minimum(self.starts[field], len(at) - 1)].astype(np.int64)
        integers[self.sizes[field] < 0] = 0
        return integers


def at_every_byte(data: np.ndarray, dtype: str) -> np.ndarray:
    """`data` read as big-endian integers of `dtype` starting at every byte: a view (unaligned,
    overlapping), so indexing it at fields' offsets reads all their values in one gather, ~3x
    faster than gathering rows of a sliding window of bytes and viewing them as integers."""
    size = np.dtype(dtype).itemsize
    return np.ndarray((max(len(data) - size + 1, 0),), dtype, buffer=data, strides=(1,))


def parse(data: bytes | bytearray, row_sizes: list[int], widths: Sequence[int | None]) -> Batch:
    """Locate every field of the rows in `data`, whose messages had `row_sizes` bytes each.

    `widths`: per field, its byte width when every value has it (a NOT NULL bigint: 8), whose
    lengths are then not read (a third of the walk); else None. A wrong width cannot shift values
    unnoticed: every row must still end exactly where its message did."""
    buffer = np.frombuffer(data, np.uint8)
    sizes = np.asarray(row_sizes, np.int64)
    ends = np.cumsum(sizes)
    rows, fields = len(sizes), len(widths)
    position = ends - sizes
    lengths = at_every_byte(buffer, ">i4")
    counts = at_every_byte(buffer, ">i2")[position] if rows else position
    if rows and not (counts == fields).all():
        raise CopyFormatError(f"COPY rows do not hold {fields} fields each.")
    position = position + 2
    starts, field_sizes = [], []
    for width in widths:
        if rows and int(position.max()) + 4 > len(buffer):
            raise CopyFormatError("COPY row shorter than its fields.")
        if width is not None:
            size = np.full(rows, width, np.int64)
        elif rows:
            size = lengths[position].astype(np.int64)
        else:
            size = position
        start = position + 4
        starts.append(start)
        field_sizes.append(size)
        position = start + np.maximum(size, 0)
    if rows and not (position == ends).all():
        raise CopyFormatError("COPY row longer or shorter than its fields.")
    return Batch(buffer, rows, tuple(starts), tuple(field_sizes))


def batches(statement: sql.Composed, widths: Sequence[int | None]) -> Generator[Batch]:
    """The rows of `statement` in batches of about BATCH_BYTES; on a connection of its own when
    the caller holds no transaction, else in the caller's (the whole result read first).
    `widths` as `parse` takes them."""
    if connection.in_atomic_block:
        return _in_transaction(statement, widths)
    return _streamed(statement, widths)


def copy_of(statement: sql.Composed) -> sql.Composed:
    return sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(statement)


class _Rows:
    """Collects row messages into batches, taking the file header and trailer off."""

    def __init__(self, widths: Sequence[int | None]) -> None:
        self.widths = widths
        self.data = bytearray()
        self.sizes: list[int] = []
        self.started = False
        self.ended = False

    def add(self, message: bytes | bytearray | memoryview) -> None:
        """Any message: the header, a row or the trailer. `_streamed` appends most rows itself,
        since a method call per row was a fifth of the read."""
        if not self.started:
            message = self._header(message)
        if len(message) == len(TRAILER) and message == TRAILER:
            self.ended = True
        elif message:
            if self.ended:
                raise CopyFormatError("COPY data after its trailer.")
            self.data += message
            self.sizes.append(len(message))

    def _header(self, message: bytes | bytearray | memoryview) -> bytes | bytearray | memoryview:
        self.started = True
        if bytes(message[: len(SIGNATURE)]) != SIGNATURE or len(message) < HEADER_BYTES:
            raise CopyFormatError("COPY data without the binary file header.")
        extension = int.from_bytes(message[HEADER_BYTES - 4 : HEADER_BYTES], "big")
        return message[HEADER_BYTES + extension :]

    def full(self) -> bool:
        return len(self.data) >= BATCH_BYTES

    def take(self) -> Batch:
        batch = parse(self.data, self.sizes, self.widths)
        self.data, self.sizes = bytearray(), []  # the batch keeps the old buffer
        return batch

    def finish(self) -> Iterator[Batch]:
        if not self.ended:
            raise CopyFormatError("COPY data ended without its trailer.")
        if self.sizes:
            yield self.take()


def _streamed(statement: sql.Composed, widths: Sequence[int | None]) -> Generator[Batch]:
    """One statement, one snapshot, on a connection that lives as long as the stream (Django's
    stays free for the ledger meanwhile)."""
    raw = reading_connection()
    try:
        rows = _Rows(widths)
        with psycopg.Cursor(raw).copy(copy_of(statement)) as copy:
            # A row libpq already holds is taken straight from it (PQgetCopyData without
            # waiting, psycopg's `pq` layer): psycopg's reader costs a generator and a wait per
            # row (~0.5 µs, a third of the read) and is left to wait when none is there yet.
            get, data, sizes = raw.pgconn.get_copy_data, rows.data, rows.sizes
            message: bytes | bytearray | memoryview
            while True:
                size, message = get(1)
                if size == 0:
                    message = copy.read()  # at the end, psycopg reads the final result
                    size = len(message)
                    if not size:
                        break
                elif size < 0:  # the end, seen here: the final result is ours to read
                    final_result(raw.pgconn)
                    break
                if size <= HEADER_BYTES:  # the trailer, or a first message holding no row
                    rows.add(message)
                elif rows.started:
                    data += message
                    sizes.append(size)
                    if len(data) >= BATCH_BYTES:
                        yield rows.take()
                        data, sizes = rows.data, rows.sizes
                else:
                    rows.add(message)
        yield from rows.finish()
    finally:
        raw.close()


def reading_connection() -> psycopg.Connection[Any]:
    """A connection for one hour's COPY, planned to stream from its first row: the hour in
    order from the (tenant_id, event_time) index, only rows of the same time sorted by id
    (incremental sort). Where the hour is much of its partition the planner prefers reading it
    all and sorting it before the first row, which held the rows back 1.2-2 s per million while
    the writer had nothing to do (docs/feeds.md); the COPY is read at PostgreSQL's pace either
    way. The connection runs only that statement, so the setting stays with it."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        raw.execute("SET enable_sort = off")
    except BaseException:
        raw.close()
        raise
    return raw


def final_result(pgconn: pq.abc.PGconn) -> None:
    """What the COPY came to: PostgreSQL's error if it failed after sending rows."""
    while (result := pgconn.get_result()) is not None:
        if result.status != pq.ExecStatus.COMMAND_OK:
            message = (result.error_message or b"").decode(errors="replace").strip()
            raise psycopg.DatabaseError(f"COPY failed: {message}")


def _in_transaction(statement: sql.Composed, widths: Sequence[int | None]) -> Generator[Batch]:
    """In the caller's transaction, which may hold the rows: the COPY is read whole first, so
    the connection is free for the ledger while the batches are written."""
    connection.ensure_connection()
    rows = _Rows(widths)
    collected: list[Batch] = []
    with connection.connection.cursor().copy(copy_of(statement)) as copy:
        for message in copy:
            rows.add(message)
            if rows.full():
                collected.append(rows.take())
    collected += rows.finish()
    yield from collected
