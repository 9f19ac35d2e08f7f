"""Records of a binary encoding built for a whole batch of rows at once (issue 20).

A record of Avro or protobuf is, field after field, a few computed bytes (a union index, a tag,
a varint, a length) and sometimes a value copied as it is (a string's UTF-8, a decimal's
bytes). Here the computed bytes of all rows are made column by column with numpy, as a
byte matrix per column (`Run`: one row per record, masked where a record has fewer bytes), and
the copied values stay where PostgreSQL's binary COPY put them (binary_copy.Batch). One Arrow
`take` then lays every record's pieces out in order: its run of computed bytes, the next copied
value, the next run, … The result is an Arrow binary array, one element per record, whose data
buffer is all records back to back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    from .binary_copy import Batch


MAX_VARINT = 10  # bytes of a varint of any 64-bit value
# A varint of v takes 1 + (number of thresholds <= v) bytes.
THRESHOLDS = np.array([1 << (7 * k) for k in range(1, MAX_VARINT)], dtype=np.uint64)
SHIFTS = np.arange(MAX_VARINT, dtype=np.uint64) * np.uint64(7)
PLACES = np.arange(64)  # byte places in a piece
# Bytes (rows x width, column-major) and how many of them, from the first, each row keeps.
Piece = tuple[np.ndarray, np.ndarray]


def varints(
    values: np.ndarray,
    present: np.ndarray | None = None,
    prefix: bytes | np.ndarray = b"",
    prefix_always: bool = False,
) -> Piece:
    """Unsigned base-128 varints of uint64 `values` (seven bits a byte, low bits first, the high
    bit set on every byte but the last), each after `prefix` (the same bytes for every row, or
    one byte per row). Rows not `present` keep nothing, or only the prefix if `prefix_always`."""
    rows = len(values)
    last = np.searchsorted(THRESHOLDS, values, side="right")  # its length - 1
    head = len(prefix) if isinstance(prefix, bytes) or not len(prefix) else 1
    width = head + (int(last.max()) + 1 if rows else 1)
    # Column-major: each byte place is written whole, contiguous (packing copies it anyway).
    matrix = np.empty((rows, width), np.uint8, order="F")
    if head:
        matrix[:, :head] = (
            np.frombuffer(prefix, np.uint8) if isinstance(prefix, bytes) else prefix[:, None]
        )
    for k in range(width - head):
        # The high bit on every byte before the last; the last's is 0 already (its value < 128),
        # so no byte is cleared afterwards by a scattered write (twice as slow in all).
        more = (last > k).view(np.uint8) << np.uint8(7)
        np.bitwise_or((values >> SHIFTS[k]).astype(np.uint8), more, out=matrix[:, head + k])
    lengths = last + (head + 1)
    if present is not None:
        lengths = np.where(present, lengths, head if prefix_always else 0)
    return matrix, lengths


def varint(value: int) -> bytes:
    """One unsigned varint, as CodedOutputStream writes a message length or a tag."""
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def fixed(matrix: np.ndarray) -> Piece:
    """Bytes of the same width for every row (rows x width), all kept."""
    rows, width = matrix.shape
    return matrix, np.full(rows, width, np.int64)


def zigzag(values: np.ndarray) -> np.ndarray:
    """Signed int64 to the unsigned values whose varints Avro writes (0, -1, 1, -2 → 0, 1, 2, 3)."""
    return ((values << 1) ^ (values >> 63)).view(np.uint64)


class Run:
    """Computed bytes of every record between two copied values."""

    def __init__(self) -> None:
        self.pieces: list[Piece] = []

    def lengths(self, rows: int) -> np.ndarray:
        total = np.zeros(rows, np.int64)
        for _, lengths in self.pieces:
            total += lengths
        return total

    def pack(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """The run's bytes of every record, back to back, and each record's count."""
        if not self.pieces:
            return np.zeros(0, np.uint8), np.zeros(rows, np.int64)
        # Place by place (the transposes are contiguous: pieces are column-major), each row
        # keeping its first `lengths` bytes of a piece; then read back row by row.
        places = np.concatenate([matrix.T for matrix, _ in self.pieces])
        keep = np.concatenate(
            [PLACES[: matrix.shape[1], None] < lengths[None, :] for matrix, lengths in self.pieces]
        )
        return places.T[keep.T], self.lengths(rows)


class Records:
    """Builds one batch's records: `add` computed pieces and `copy` fields, in record order."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.runs = [Run()]
        self.copied: list[int] = []  # fields whose bytes are copied, in order

    def add(self, piece: Piece) -> None:
        self.runs[-1].pieces.append(piece)

    def copy(self, field: int) -> None:
        """The field's bytes as they are (nothing for a null)."""
        self.copied.append(field)
        self.runs.append(Run())

    def sizes(self) -> np.ndarray:
        """Each record's length so far."""
        rows = self.batch.rows
        total = sum((run.lengths(rows) for run in self.runs), np.zeros(rows, np.int64))
        for field in self.copied:
            total += np.maximum(self.batch.sizes[field], 0)
        return total

    def frame(self, prefix: Callable[[np.ndarray], Piece]) -> None:
        """Put `prefix(record lengths)` in front of every record (a length, for framing)."""
        self.runs[0].pieces.insert(0, prefix(self.sizes()))

    def build(self) -> pa.BinaryArray:
        batch, rows = self.batch, self.batch.rows
        packed = [run.pack(rows) for run in self.runs]
        runs = _binary(
            np.concatenate([data for data, _ in packed]),
            np.concatenate([lengths for _, lengths in packed]),
        )
        if not self.copied:
            return runs
        # The batch's bytes cut at the start and end of every copied value: element 1 + 2j of
        # row r's stretch is its j-th copied value, the others the bytes between.
        count = len(self.copied)
        starts = np.stack([batch.starts[field] for field in self.copied], axis=1)
        sizes = np.stack([batch.sizes[field] for field in self.copied], axis=1)
        offsets = np.empty(2 * count * rows + 2, np.int32)
        offsets[0], offsets[-1] = 0, len(batch.data)
        bounds = offsets[1:-1].reshape(rows, 2 * count)
        bounds[:, 0::2] = starts
        bounds[:, 1::2] = starts + np.maximum(sizes, 0)
        copied = pa.Array.from_buffers(
            pa.binary(), len(offsets) - 1, [None, pa.py_buffer(offsets), pa.py_buffer(batch.data)]
        )
        pieces = pa.concat_arrays([copied, runs])
        # Row r: run 0, copied value 0, run 1, … copied value J-1, run J.
        order = np.empty((rows, 2 * count + 1), np.int64)
        row = np.arange(rows)[:, None]
        order[:, 0::2] = len(copied) + np.arange(count + 1)[None, :] * rows + row
        order[:, 1::2] = 1 + row * 2 * count + 2 * np.arange(count)[None, :]
        # Indices by buffer, not `pa.array(order)`: converting an ndarray imports numpy.ma
        # (9 MB more RSS in every worker, bench/).
        indices = pa.Array.from_buffers(pa.int64(), order.size, [None, pa.py_buffer(order)])
        taken = pieces.take(indices)
        # One element per piece: every (2J + 1)-th boundary is one between two records.
        bounds_taken = np.frombuffer(taken.buffers()[1], np.int32, len(taken) + 1)
        offsets = np.ascontiguousarray(bounds_taken[:: order.shape[1]])
        return pa.Array.from_buffers(
            pa.binary(), rows, [None, pa.py_buffer(offsets), taken.buffers()[2]]
        )


def _binary(data: np.ndarray, lengths: np.ndarray) -> pa.BinaryArray:
    offsets = np.zeros(len(lengths) + 1, np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.binary(), len(lengths), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def record_bytes(records: pa.BinaryArray) -> tuple[memoryview, np.ndarray]:
    """All records' bytes as one buffer, and the offsets (rows + 1) of each in it."""
    offsets = np.frombuffer(
        records.buffers()[1],
        np.int32,
        len(records) + 1,
        records.offset * 4,  # bytes
    )
    data = records.buffers()[2]
    view = memoryview(data) if data is not None else memoryview(b"")
    return view, offsets.astype(np.int64)
