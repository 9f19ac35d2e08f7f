"""A data file's column statistics for its manifest entry, read from the Parquet footer, as
pyiceberg's writer derives them at the table's default metrics mode (`truncate(16)`): sizes,
value and null counts, lower and upper bounds (strings cut to 16 characters, the upper bound
rounded up), row groups' offsets.

Here rather than `pyiceberg.io.pyarrow`, whose import loads PyArrow's dataset and filesystem
libraries (~20 MB of a worker's RSS, issue 36) for two functions over a flat schema of primitive
columns. tests/feeds/test_iceberg_statistics.py holds the two to the same answers."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
from pyiceberg.conversions import to_bytes
from pyiceberg.schema import Schema
from pyiceberg.types import DecimalType, PrimitiveType, StringType
from pyiceberg.utils.decimal import unscaled_to_decimal
from pyiceberg.utils.truncate import truncate_upper_bound_text_string

TRUNCATE = 16  # Iceberg's default metrics mode, truncate(16), which only strings feel


def statistics(schema: Schema, metadata: pq.FileMetaData) -> dict[str, Any]:
    """`DataFile` fields of a closed file of `schema`'s columns (none nested)."""
    fields = {field.name: field for field in schema.fields}
    kinds: dict[int, PrimitiveType] = {
        field.field_id: field.field_type
        for field in schema.fields
        if isinstance(field.field_type, PrimitiveType)
    }
    sizes: dict[int, int] = {}
    values: dict[int, int] = {}
    nulls: dict[int, int] = {}
    bounds: dict[int, list[Any]] = {}
    unknown: set[int] = set()
    offsets = []
    for index in range(metadata.num_row_groups):
        group = metadata.row_group(index)
        first = group.column(0)
        dictionary = first.has_dictionary_page and first.dictionary_page_offset < (
            first.data_page_offset
        )
        offsets.append(first.dictionary_page_offset if dictionary else first.data_page_offset)
        for position in range(metadata.num_columns):
            column = group.column(position)
            field = fields[column.path_in_schema]
            key = field.field_id
            sizes[key] = sizes.get(key, 0) + column.total_compressed_size
            values[key] = values.get(key, 0) + column.num_values
            if not column.is_stats_set:
                unknown.add(key)
                continue
            stats = column.statistics
            if stats.has_null_count:
                nulls[key] = nulls.get(key, 0) + stats.null_count
            low, high = _min_max(kinds[key], stats)
            known = bounds.setdefault(key, [None, None])
            if low is not None:
                known[0] = low if known[0] is None else min(low, known[0])
            if high is not None:
                known[1] = high if known[1] is None else max(high, known[1])
    for key in unknown:
        bounds.pop(key, None)
        nulls.pop(key, None)
    lower, upper = {}, {}
    for key, (low, high) in bounds.items():
        kind = kinds[key]
        if low is not None:
            lower[key] = to_bytes(kind, low[:TRUNCATE] if kind == StringType() else low)
        if high is not None and (edge := _upper(kind, high)) is not None:
            upper[key] = edge
    return {
        "record_count": metadata.num_rows,
        "column_sizes": sizes,
        "value_counts": values,
        "null_value_counts": nulls,
        "nan_value_counts": {},
        "lower_bounds": lower,
        "upper_bounds": upper,
        "split_offsets": sorted(offsets),
    }


def _min_max(kind: PrimitiveType, stats: Any) -> tuple[Any, Any]:
    if isinstance(kind, DecimalType) and stats.physical_type != "FIXED_LEN_BYTE_ARRAY":
        # Stored as its unscaled integer (store_decimal_as_integer).
        low, high = stats.min_raw, stats.max_raw
        return (
            None if low is None else unscaled_to_decimal(low, kind.scale),
            None if high is None else unscaled_to_decimal(high, kind.scale),
        )
    return stats.min, stats.max


def _upper(kind: PrimitiveType, value: Any) -> bytes | None:
    if kind == StringType():
        rounded = truncate_upper_bound_text_string(value, TRUNCATE)
        return None if rounded is None else to_bytes(kind, rounded)
    return to_bytes(kind, value)
