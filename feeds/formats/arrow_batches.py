"""Arrow record batches typed as the published schema, from binary COPY batches or Python rows.

On PostgreSQL a raw window's rows arrive as binary COPY batches (binary_copy): every column is
made from the batch's bytes at once, never a Python object per value. Fixed-width values are
gathered with numpy (timestamps as PostgreSQL's microseconds moved to the Unix epoch, a decimal
as its unscaled bigint widened to Arrow's 16-byte decimal128); a string column is one Arrow
`take` of the spans its values occupy in the batch, so the text is copied once, in C++. Null
masks come from the field lengths (-1). SQLite's Python values go through `pa.array`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from ..schema.columns import Column

if TYPE_CHECKING:
    from .binary_copy import Batch

ARROW_TYPES: dict[str, pa.DataType] = {
    "int64": pa.int64(),
    "int32": pa.int32(),
    "string": pa.string(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}
# How the SELECT hands each type over (reading.EXPRESSIONS): timestamps as PostgreSQL's binary
# microseconds, decimals as their unscaled value (precision 18 fits a bigint).
PREPARED_TYPES = {"timestamp": "postgres_micros", "decimal": "unscaled_bytes"}


def arrow_type(column: Column) -> pa.DataType:
    if column.type == "decimal":
        return pa.decimal128(column.precision, column.scale)
    return ARROW_TYPES[column.type]


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    """The published columns as Arrow fields: public names, types, nullability."""
    return pa.schema([pa.field(c.public_name, arrow_type(c), nullable=c.nullable) for c in columns])


def from_rows(schema: pa.Schema, columns: Sequence[list[Any]]) -> pa.RecordBatch:
    """Python values, column by column (SQLite's rows)."""
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class RowBatches:
    """Python rows (SQLite's) gathered column by column into record batches of `size` rows,
    across as many `add` calls as the rows come in; `rows` counts what was added."""

    def __init__(self, schema: pa.Schema, size: int) -> None:
        self.schema, self.size, self.rows = schema, size, 0
        self._columns: list[list[Any]] = [[] for _ in schema]

    def add(self, rows: Iterable[Sequence[Any]]) -> Iterator[pa.RecordBatch]:
        columns = self._columns
        for row in rows:
            for values, value in zip(columns, row, strict=True):
                values.append(value)
            self.rows += 1
            if len(columns[0]) == self.size:
                yield self._take()
                columns = self._columns

    def rest(self) -> Iterator[pa.RecordBatch]:
        if self._columns[0]:
            yield self._take()

    def _take(self) -> pa.RecordBatch:
        batch = from_rows(self.schema, self._columns)
        self._columns = [[] for _ in self.schema]
        return batch


def from_copy(schema: pa.Schema, columns: Sequence[Column], batch: Batch) -> pa.RecordBatch:
    """A binary COPY batch of `columns` (selected with PREPARED_TYPES) as one record batch."""
    arrays = [
        _array(field, column, batch, index)
        for index, (field, column) in enumerate(zip(schema, columns, strict=True))
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _array(field: pa.Field, column: Column, batch: Batch, index: int) -> pa.Array:
    rows = batch.rows
    present = batch.present(index)
    validity = None if not column.nullable or present.all() else _bitmap(present)
    nulls = -1 if validity is not None else 0  # let Arrow count them
    if column.type == "string":
        return _strings(batch, index, validity)
    if column.type == "bool":
        values = _bitmap(batch.integers(index) != 0)
    elif column.type == "timestamp":
        values = pa.py_buffer(batch.micros(index))
    elif column.type == "int32":
        values = pa.py_buffer(batch.integers(index).astype(np.int32))
    elif column.type == "decimal":
        unscaled = batch.integers(index)
        wide = np.empty((rows, 2), np.int64)  # little-endian 128 bits: low word, sign extension
        wide[:, 0], wide[:, 1] = unscaled, unscaled >> 63
        values = pa.py_buffer(wide)
    else:  # int64
        values = pa.py_buffer(batch.integers(index))
    return pa.Array.from_buffers(field.type, rows, [validity, values], null_count=nulls)


def _bitmap(mask: np.ndarray) -> pa.Buffer:
    return pa.py_buffer(np.packbits(mask, bitorder="little"))


def _strings(batch: Batch, index: int, validity: pa.Buffer | None) -> pa.Array:
    """The column's values cut out of the batch's bytes: an array over the whole buffer whose
    odd elements are the values (the even ones the bytes between), of which `take` keeps the
    odd ones, contiguous. PostgreSQL sends text as UTF-8 (the database encoding), so it is
    not validated again."""
    rows, data = batch.rows, batch.data
    starts = batch.starts[index]
    offsets = np.empty(2 * rows + 2, np.int32)
    offsets[0], offsets[-1] = 0, len(data)
    offsets[1:-1:2] = starts
    offsets[2:-1:2] = starts + np.maximum(batch.sizes[index], 0)
    pieces = pa.Array.from_buffers(
        pa.binary(), 2 * rows + 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    odd = np.arange(1, 2 * rows, 2, dtype=np.int64)
    taken = pieces.take(pa.Array.from_buffers(pa.int64(), rows, [None, pa.py_buffer(odd)]))
    nulls = -1 if validity is not None else 0
    return pa.Array.from_buffers(
        pa.string(), rows, [validity, *taken.buffers()[1:]], null_count=nulls
    )
