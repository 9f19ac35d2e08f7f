"""Issue 20: records encoded a binary COPY batch at a time must be exactly what fastavro and upb
write for the same prepared values, record by record; the COPY data must be located field by
field or refused, never read shifted."""

from __future__ import annotations

import io
import random
import struct
from decimal import Decimal
from itertools import pairwise
from typing import Any

import numpy as np
import pytest
from fastavro import parse_schema, schemaless_writer

from feeds.formats import writer_class
from feeds.formats.binary_copy import CopyFormatError, parse
from feeds.formats.columnar import record_bytes
from feeds.formats.sequencefile import vint, vints
from feeds.schema.columns import COLUMNS, INT_RANGES, Column
from feeds.schema.derived import avro_schema, message_class

from .conftest import HOUR, copy_batch, edge_rows, prepared, synthetic_rows

EDGES: dict[str, list[Any]] = {
    "int64": [INT_RANGES["int64"][0], INT_RANGES["int64"][1], -1, 0, 63, 64, -65, 2**35],
    "int32": [INT_RANGES["int32"][0], INT_RANGES["int32"][1], -1, 0, 127, 128, -129],
    "string": ["", "a", "é", "日本語テキスト", "x" * 200, "tab\tand\nnewline", "🙂"],
    "bool": [True, False],
}


def _value(column: Column, rng: random.Random) -> Any:
    """Random and edge Python values, as the ORM holds them."""
    from datetime import timedelta

    if column.nullable and rng.random() < 0.3:
        return None
    if column.type in EDGES and rng.random() < 0.3:
        return rng.choice(EDGES[column.type])
    if column.type in INT_RANGES:
        return rng.randint(*INT_RANGES[column.type])
    if column.type == "timestamp":  # 1938 to 2096, pre-epoch included
        return HOUR + timedelta(
            microseconds=rng.randint(-(10**15), 4 * 10**15) - 1_795_000_000_000_000
        )
    if column.type == "decimal":
        digits = 10**column.precision - 1
        return Decimal(rng.randint(-digits, digits)).scaleb(-column.scale)
    if column.type == "bool":
        return rng.random() < 0.5
    return "".join(rng.choice("abcdéß日🙂 ") for _ in range(rng.randint(0, 40)))


def _rows(feed: str, count: int) -> list[tuple[Any, ...]]:
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    rows = [tuple(_value(c, rng) for c in COLUMNS[feed]) for _ in range(count)]
    return rows + edge_rows(feed) + synthetic_rows(feed, 50)


def _records(data_format: str, feed: str, rows: list[tuple[Any, ...]]) -> list[bytes]:
    writer = writer_class(data_format)
    records = writer.encode(feed, copy_batch(feed, rows, writer.prepared_types))
    data, offsets = record_bytes(records)
    return [bytes(data[a:b]) for a, b in pairwise(offsets.tolist())]


@pytest.mark.parametrize("feed", ["standard_feed", "segment_feed"])
def test_avro_records_are_byte_for_byte_fastavros_for_the_same_values(feed: str) -> None:
    rows = _rows(feed, 3000)
    schema = parse_schema(avro_schema(feed))
    names = [c.public_name for c in COLUMNS[feed]]
    expected = []
    for row in prepared(feed, rows, _in_files(writer_class("avro").prepared_types)):
        out = io.BytesIO()
        schemaless_writer(out, schema, dict(zip(names, row, strict=True)))
        expected.append(out.getvalue())
    assert _records("avro", feed, rows) == expected


@pytest.mark.parametrize("feed", ["standard_feed", "segment_feed"])
@pytest.mark.parametrize("data_format", ["protobuf", "protobuf-delimited"])
def test_protobuf_messages_are_byte_for_byte_upbs_for_the_same_values(
    feed: str, data_format: str
) -> None:
    """proto3 as upb serializes it: defaults of plain fields left out, optional ones present
    when set (even at 0 or ""), negative int32 as ten bytes; framed for the container."""
    rows = _rows(feed, 3000)
    cls = message_class(feed)
    names = [c.public_name for c in COLUMNS[feed]]
    expected = []
    for row in prepared(feed, rows, _in_files(writer_class(data_format).prepared_types)):
        fields = {n: v for n, v in zip(names, row, strict=True) if v is not None}
        message = cls(**fields).SerializeToString()
        if data_format == "protobuf":  # BytesWritable
            expected.append(struct.pack(">i", len(message)) + message)
        else:  # writeDelimitedTo
            expected.append(_varint(len(message)) + message)
    assert _records(data_format, feed, rows) == expected


def _in_files(prepared_types: dict[str, str]) -> dict[str, str]:
    """The values the records hold: timestamps as microseconds since the Unix epoch (PostgreSQL
    sends them counted from 2000), decimals as PostgreSQL prepared them."""
    return {**prepared_types, "timestamp": "epoch_micros"}


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def test_hadoop_vints_of_many_sizes_at_once_are_writevlongs() -> None:
    sizes = [0, 1, 127, 128, 255, 256, 65_535, 65_536, 2**24 - 1, 2**24, 2**31 - 1]
    assert vints(np.array(sizes)) == b"".join(vint(size) for size in sizes)


def _message(*fields: bytes | None) -> bytes:
    out = struct.pack(">h", len(fields))
    for field in fields:
        out += struct.pack(">i", -1) if field is None else struct.pack(">i", len(field)) + field
    return out


def test_copy_rows_are_located_field_by_field() -> None:
    rows = [_message(b"ab", None, b"\x00" * 8), _message(b"", b"xyz", b"\x01" * 8)]
    batch = parse(b"".join(rows), [len(r) for r in rows], [None, None, 8])
    assert batch.rows == 2
    assert batch.sizes[0].tolist() == [2, 0] and batch.sizes[1].tolist() == [-1, 3]
    data = bytes(batch.data)
    assert data[batch.starts[1][1] : batch.starts[1][1] + 3] == b"xyz"
    assert batch.integers(2).tolist() == [0, 0x0101010101010101]


@pytest.mark.parametrize(
    ("rows", "sizes"),
    [
        ([_message(b"ab", b"c")], None),  # two fields where three were asked for
        ([_message(b"ab", b"c", b"d")[:-1]], None),  # a value cut short
        ([_message(b"ab", b"c", b"d") + b"\x00"], None),  # bytes after the last field
        ([_message(b"a", b"b", b"c")] * 2, [30]),  # two rows in what was one message
        ([_message(b"a", b"b", b"\x00" * 8)], None),  # not the width the column always has
        ([_message(b"a", b"b", None)], None),  # null where a value always is
    ],
    ids=["fields missing", "truncated", "trailing bytes", "rows merged", "wide", "null"],
)
def test_copy_data_of_another_shape_is_refused_not_read_shifted(
    rows: list[bytes], sizes: list[int] | None
) -> None:
    data = b"".join(rows)
    with pytest.raises(CopyFormatError):
        parse(data, sizes or [len(r) for r in rows], [None, None, 4])
