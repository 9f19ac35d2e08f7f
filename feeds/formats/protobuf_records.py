"""Protobuf messages of a batch of rows, built column by column (issue 20).

proto3's binary format, as upb writes it for the published messages: fields in number order,
each a tag (field number and wire type, as a varint) and a value: a varint for int32, int64 and
bool (a negative int32 sign-extended to ten bytes), a varint length and the UTF-8 bytes for
strings and decimals (their plain text, reading.EXPRESSIONS). A field that is not `optional` is
left out at its default (0, false, ""); an `optional` one is left out only when null. Strings'
bytes are copied from PostgreSQL's binary COPY data (columnar.Records).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..schema.columns import COLUMNS, Column
from .columnar import Piece, Records, fixed, varint, varints

if TYPE_CHECKING:
    from .binary_copy import Batch

VARINT, LENGTH_DELIMITED = 0, 2  # wire types


def _tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def encode(
    feed: str,
    columns: Sequence[Column],
    batch: Batch,
    frame: Callable[[np.ndarray], Piece],
) -> pa.BinaryArray:
    """One message per row, each preceded by `frame(its length)`."""
    numbers = {column.name: number for number, column in enumerate(COLUMNS[feed], start=1)}
    records = Records(batch)
    for field, column in enumerate(columns):
        number = numbers[column.name]
        if column.type in ("string", "decimal"):
            sizes = batch.sizes[field]
            present = sizes >= 0 if column.nullable else sizes > 0
            lengths = np.maximum(sizes, 0).view(np.uint64)
            records.add(varints(lengths, present, _tag(number, LENGTH_DELIMITED)))
            records.copy(field)
            continue
        values = batch.micros(field) if column.type == "timestamp" else batch.integers(field)
        present = batch.present(field) if column.nullable else values != 0
        records.add(varints(values.view(np.uint64), present, _tag(number, VARINT)))
    records.frame(frame)
    return records.build()


def delimited(lengths: np.ndarray) -> Piece:
    """writeDelimitedTo's framing: the message length as a varint."""
    return varints(lengths.view(np.uint64))


def bytes_writable(lengths: np.ndarray) -> Piece:
    """Hadoop's BytesWritable: the length as a big-endian int32."""
    return fixed(lengths.astype(">i4").view(np.uint8).reshape(-1, 4))
