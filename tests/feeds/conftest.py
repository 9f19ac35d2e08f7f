"""Independent readers and row generators for the format tests."""

from __future__ import annotations

import io
import logging
import struct
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import strategies as st

from feeds.demo.synthetic import Generator
from feeds.formats import PartResult, writer_class
from feeds.formats.binary_copy import POSTGRES_EPOCH_MICROS, Batch, parse
from feeds.formats.values import decimal_text, to_micros
from feeds.runs.reading import copy_widths
from feeds.schema.columns import COLUMNS, INT_RANGES, Column, stored_columns

HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


# Tests that read with Hadoop carry this mark: one suite worker then starts the JVM, not both.
ON_THE_SPARK_WORKER = pytest.mark.xdist_group("spark")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """Hadoop's own SequenceFile reader, inside pyspark; one JVM for the whole session."""
    from pyspark import SparkConf, SparkContext

    # py4j logs at INFO while the interpreter exits, after pytest's summary line.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    conf = (
        SparkConf()
        .setMaster("local[1]")
        .setAppName("exporthub-format-tests")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
    )
    context = SparkContext(conf=conf)
    context.setLogLevel("ERROR")
    yield context
    context.stop()


def write(
    data_format: str, feed: str, compression: str, rows: Sequence[Sequence[Any]]
) -> tuple[bytes, PartResult]:
    buffer = io.BytesIO()
    writer = writer_class(data_format)(feed, buffer, compression)
    writer.write_rows(rows)
    result = writer.close()
    return buffer.getvalue(), result


def write_batches(
    data_format: str, feed: str, compression: str, rows: Sequence[Sequence[Any]]
) -> tuple[bytes, PartResult]:
    """The same file as `write`, through the PostgreSQL path: binary COPY batches of the rows'
    prepared values, encoded a batch at a time."""
    buffer = io.BytesIO()
    writer_type = writer_class(data_format)
    writer = writer_type(feed, buffer, compression)
    for first in range(0, len(rows), 3000):  # several batches
        batch = copy_batch(feed, rows[first : first + 3000], writer_type.prepared_types)
        writer.write_records(writer_type.encode(feed, batch))
    result = writer.close()
    return buffer.getvalue(), result


def prepared(
    feed: str, rows: Sequence[Sequence[Any]], types: dict[str, str]
) -> list[tuple[Any, ...]]:
    """Python values as reading.EXPRESSIONS has PostgreSQL prepare them."""
    ready: dict[str, Callable[..., Any]] = {
        "postgres_micros": lambda value: to_micros(value) - POSTGRES_EPOCH_MICROS,
        "epoch_micros": to_micros,  # what the files hold
        "decimal_text": decimal_text,
        "unscaled_bytes": lambda value, scale: int(value.scaleb(scale)).to_bytes(
            8, "big", signed=True
        ),
    }
    out = []
    for row in rows:
        values = []
        for column, value in zip(COLUMNS[feed], row, strict=True):
            kind = types.get(column.type)
            if value is None or kind is None:
                values.append(value)
            elif kind == "unscaled_bytes":
                values.append(ready[kind](value, column.scale))
            else:
                values.append(ready[kind](value))
        out.append(tuple(values))
    return out


def copy_batch(feed: str, rows: Sequence[Sequence[Any]], types: dict[str, str]) -> Batch:
    """Rows as PostgreSQL's binary COPY sends them (its documented format: a 16-bit field count,
    then per field a 32-bit length, -1 for null, and the value's binary form), parsed into a
    batch as the export does."""
    data, sizes = bytearray(), []
    for row in prepared(feed, rows, types):
        message = struct.pack(">h", len(row))
        for column, value in zip(COLUMNS[feed], row, strict=True):
            if value is None:
                message += struct.pack(">i", -1)
                continue
            if column.type == "int32":
                body = struct.pack(">i", value)
            elif column.type == "bool":
                body = bytes([value])
            elif isinstance(value, int):  # int64, epoch microseconds
                body = struct.pack(">q", value)
            else:  # text, or a decimal's eight bytes
                body = value.encode() if isinstance(value, str) else value
            message += struct.pack(">i", len(body)) + body
        data += message
        sizes.append(len(message))
    return parse(data, sizes, copy_widths(feed, types))


def synthetic_rows(feed: str, count: int, seed: int = 7) -> list[tuple[Any, ...]]:
    """Rows as exported (the feed's derived columns too), of synthetic events in one hour."""
    rows = Generator(feed, seed).rows(count, HOUR, HOUR + timedelta(hours=1))
    return [exported(feed, row) for row, _ in rows]


def exported(feed: str, row: Sequence[Any]) -> tuple[Any, ...]:
    """A stored row as the export reads it: each derived column is its timestamp's hour in
    Unix milliseconds."""
    stored = dict(zip((c.name for c in stored_columns(feed)), row, strict=True))
    return tuple(
        to_micros(stored[c.hour_of]) // 3_600_000_000 * 3_600_000 if c.hour_of else stored[c.name]
        for c in COLUMNS[feed]
    )


def _value(column: Column) -> st.SearchStrategy[Any]:
    if column.type in INT_RANGES:
        low, high = INT_RANGES[column.type]
        return st.integers(low, high)
    if column.type == "decimal":
        bound = Decimal(10) ** (column.precision - column.scale) - Decimal(1).scaleb(-column.scale)
        return st.decimals(min_value=-bound, max_value=bound, places=column.scale, allow_nan=False)
    if column.type == "timestamp":
        return st.datetimes(
            min_value=datetime(1970, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
        )
    if column.type == "bool":
        return st.booleans()
    # Any unicode except NUL (refused at ingestion) and lone surrogates (not encodable).
    return st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)


def row_strategy(feed: str) -> st.SearchStrategy[tuple[Any, ...]]:
    columns = COLUMNS[feed]
    return st.tuples(*[(st.none() | _value(c)) if c.nullable else _value(c) for c in columns])


EDGE_VALUES = {
    "int64": [-(2**63), 2**63 - 1, 0],
    "int32": [-(2**31), 2**31 - 1],
    "string": ["", 'quote " comma , newline \n cr \r', "ünïcødé ✓ 🚀", "=SUM(A1:A9)"],
    "decimal": [Decimal("0"), Decimal("-999999999999.999999"), Decimal("0.000001")],
    "bool": [True, False],
}


def edge_rows(feed: str) -> list[tuple[Any, ...]]:
    """Rows with each column at its extremes (and null where allowed)."""
    base = list(synthetic_rows(feed, 1)[0])
    rows = []
    for index, column in enumerate(COLUMNS[feed]):
        values: list[Any] = list(EDGE_VALUES.get(column.type, []))  # type: ignore[call-overload]
        if column.type == "decimal":
            values = [v for v in values if -v.as_tuple().exponent <= column.scale]
            values = [v for v in values if v.adjusted() < column.precision - column.scale]
        if column.type == "timestamp":
            values = [
                datetime(1970, 1, 1, tzinfo=UTC),
                datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            ]
        if column.nullable:
            values.append(None)
        for value in values:
            if column.type == "string" and value is not None and len(value) > column.max_length:
                continue
            row = list(base)
            row[index] = value
            rows.append(tuple(row))
    return rows
