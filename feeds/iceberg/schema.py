"""An integration's Iceberg schema and partition spec, derived from the feed's columns.

Field ids are stable: a column's id is its position in the feed's registry (feeds/schema/columns.py)
plus one, whichever columns a raw feed's admin chose and in whatever order, so a column keeps its
id when the registry grows (columns are only ever appended there). Raw tables carry one more
column, `window_start` (id WINDOW_START_ID), the start of the 15-minute window of received time
the row was exported in: a raw window is replaced by its partition, and its rows' event times
may fall in other hours than the window."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import HourTransform, IdentityTransform
from pyiceberg.types import (
    BooleanType,
    DecimalType,
    IcebergType,
    IntegerType,
    LongType,
    NestedField,
    StringType,
    TimestamptzType,
)

from integrations.catalog import FEEDS, FeedKind

from ..schema.columns import COLUMNS, Column, chosen_columns

WINDOW_START = "window_start"
WINDOW_START_ID = 1000  # above any feed's column count
PARTITION_FIELD_ID = 1000  # partition field ids start at 1000 (Iceberg spec)
TYPES: dict[str, IcebergType] = {
    "int64": LongType(),
    "int32": IntegerType(),
    "string": StringType(),
    "bool": BooleanType(),
    "timestamp": TimestamptzType(),
}


def iceberg_type(column: Column) -> IcebergType:
    if column.type == "decimal":
        return DecimalType(column.precision, column.scale)
    return TYPES[column.type]


def field_id(feed: str, column: Column) -> int:
    return COLUMNS[feed].index(column) + 1


def is_raw(feed: str) -> bool:
    return FEEDS[feed].kind == FeedKind.RAW


def table_columns(feed: str, names: Sequence[str] | None = None) -> tuple[Column, ...]:
    """The columns written, in order: a raw feed's chosen ones (all by default)."""
    return chosen_columns(feed, names) if is_raw(feed) else COLUMNS[feed]


def table_schema(feed: str, names: Sequence[str] | None = None) -> Schema:
    fields = [
        NestedField(
            field_id(feed, column),
            column.public_name,
            iceberg_type(column),
            required=not column.nullable,
            doc=column.doc or None,
        )
        for column in table_columns(feed, names)
    ]
    if is_raw(feed):
        fields.append(
            NestedField(
                WINDOW_START_ID,
                WINDOW_START,
                TimestamptzType(),
                required=True,
                doc="Start of the 15-minute window of received time the row was exported in.",
            )
        )
    return Schema(*fields)


def arrow_schema(schema: Schema) -> pa.Schema:
    """The Parquet files' Arrow schema, each field carrying its id (`PARQUET:field_id`) and doc,
    as pyiceberg's `schema_to_pyarrow` makes it but for 32-bit string offsets (without importing
    `pyiceberg.io.pyarrow`)."""
    return pa.schema(
        [
            pa.field(
                field.name,
                _arrow_type(field.field_type),
                nullable=field.optional,
                metadata={
                    **({"doc": field.doc} if field.doc else {}),
                    "PARQUET:field_id": str(field.field_id),
                },
            )
            for field in schema.fields
        ]
    )


def _arrow_type(kind: IcebergType) -> pa.DataType:
    if isinstance(kind, DecimalType):
        return pa.decimal128(kind.precision, kind.scale)
    return ARROW_TYPES[type(kind)]


ARROW_TYPES: dict[type[IcebergType], pa.DataType] = {
    LongType: pa.int64(),
    IntegerType: pa.int32(),
    # As formats.arrow_batches makes them (Parquet has one string type; pyiceberg says large).
    StringType: pa.string(),
    BooleanType: pa.bool_(),
    TimestamptzType: pa.timestamp("us", tz="UTC"),
}


def event_time_column(feed: str) -> Column:
    return next(column for column in COLUMNS[feed] if column.name == "event_time")


def partition_spec(feed: str) -> PartitionSpec:
    """Log-level: hours(event_time) (the segment feed publishes it as date_time); raw:
    identity(window_start)."""
    if is_raw(feed):
        return PartitionSpec(
            PartitionField(WINDOW_START_ID, PARTITION_FIELD_ID, IdentityTransform(), WINDOW_START)
        )
    column = event_time_column(feed)
    name = f"{column.public_name}_hour"
    return PartitionSpec(
        PartitionField(field_id(feed, column), PARTITION_FIELD_ID, HourTransform(), name)
    )
