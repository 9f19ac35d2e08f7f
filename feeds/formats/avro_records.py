"""Avro's binary encoding of a batch of rows, built column by column (issue 20).

fastavro encodes a record value by value, matching every nullable value against each branch of
its union; here every column of a batch of PostgreSQL's binary COPY rows is encoded at once
(columnar.Records): zig-zag varints for int, long and timestamp-micros, one byte for a boolean,
the union index before a nullable value, and strings and decimals (the unscaled value's eight
bytes, reading.EXPRESSIONS) as a varint length and their bytes copied from the COPY data. The
bytes are exactly fastavro's for the same values (tests compare them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ..schema.columns import Column
from .columnar import Records, varints, zigzag

if TYPE_CHECKING:
    from .binary_copy import Batch

NULL, VALUE = 0, 2  # the zig-zag varints of union branches 0 ("null") and 1


def encode(columns: Sequence[Column], batch: Batch) -> pa.BinaryArray:
    """One Avro record per row of `batch`, whose fields are `columns` in order."""
    records = Records(batch)
    for field, column in enumerate(columns):
        present, branch = None, np.zeros(0, np.uint8)  # non-nullable: no branch
        if column.nullable:  # the union's branch before the value, or alone for a null
            present = batch.present(field)
            branch = np.where(present, VALUE, NULL).astype(np.uint8)
        if column.type in ("string", "decimal"):
            sizes = np.maximum(batch.sizes[field], 0).view(np.uint64)
            records.add(varints(sizes << np.uint64(1), present, branch, prefix_always=True))
            records.copy(field)
        else:  # a boolean's byte, 0 or 1, is the varint of its value
            values = batch.micros(field) if column.type == "timestamp" else batch.integers(field)
            encoded = values.view(np.uint64) if column.type == "bool" else zigzag(values)
            records.add(varints(encoded, present, branch, prefix_always=True))
    return records.build()
