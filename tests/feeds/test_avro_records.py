"""Issue 20: Avro records encoded column by column must be exactly what fastavro writes for the
same prepared rows (epoch microseconds, 8-byte decimals), and the files must read back with the
published schema as today's files do, in fastavro and in Apache avro."""

from __future__ import annotations

import io
import json
import random
from typing import Any

import fastavro
import pytest
from fastavro import parse_schema

from feeds.formats import write_parts
from feeds.formats.avro import AvroWriter
from feeds.formats.avro_records import encode
from feeds.schema.columns import COLUMNS, INT_RANGES, Column
from feeds.schema.derived import avro_schema

from .readers import read_avro

EDGES: dict[str, list[Any]] = {
    "int64": [INT_RANGES["int64"][0], INT_RANGES["int64"][1], -1, 0, 63, 64, -65, 2**35],
    "int32": [INT_RANGES["int32"][0], INT_RANGES["int32"][1], -1, 0, 127, 128, -129],
    "string": ["", "a", "é", "日本語テキスト", "x" * 200, "tab\tand\nnewline", "🙂"],
}


def _value(column: Column, rng: random.Random) -> Any:
    if column.nullable and rng.random() < 0.3:
        return None
    if column.type in EDGES and rng.random() < 0.3:
        return rng.choice(EDGES[column.type])
    if column.type == "int64":
        return rng.randint(*INT_RANGES["int64"])
    if column.type == "int32":
        return rng.randint(*INT_RANGES["int32"])
    if column.type == "timestamp":
        return rng.randint(-(10**15), 4 * 10**15)  # epoch microseconds, 1938 to 2096
    if column.type == "decimal":  # 8 bytes of two's complement, as int8send gives them
        return rng.randint(-(10**18) + 1, 10**18 - 1).to_bytes(8, "big", signed=True)
    if column.type == "bool":
        return rng.random() < 0.5
    return "".join(rng.choice("abcdéß日🙂 ") for _ in range(rng.randint(0, 40)))


def _rows(feed: str, count: int, seed: int = 7) -> list[tuple[Any, ...]]:
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    return [tuple(_value(c, rng) for c in COLUMNS[feed]) for _ in range(count)]


@pytest.mark.parametrize("feed", ["standard_feed", "segment_feed"])
def test_column_encoding_is_byte_for_byte_fastavros_encoding_of_every_record(feed: str) -> None:
    rows = _rows(feed, 3000)
    schema = parse_schema(avro_schema(feed))
    names = [c.name for c in COLUMNS[feed]]
    expected = io.BytesIO()
    for row in rows:
        fastavro.schemaless_writer(expected, schema, dict(zip(names, row, strict=True)))
    assert encode(COLUMNS[feed], rows) == expected.getvalue()


@pytest.mark.parametrize("compression", ["DEFLATE", "SNAPPY", "NONE"])
def test_a_file_of_column_encoded_blocks_reads_back_as_todays_file(
    compression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's file: fastavro record by record; the new one: AvroWriter on prepared rows, split
    into several blocks and parts. Both read with the published schema give the same values."""
    monkeypatch.setattr("feeds.formats.avro.ENCODE_ROWS", 700)  # several batches, blocks, parts
    monkeypatch.setattr("feeds.formats.avro.BLOCK_BYTES", 50_000)
    feed, rows = "standard_feed", _rows("standard_feed", 5000, seed=11)
    names = [c.name for c in COLUMNS[feed]]
    today = io.BytesIO()
    codec = {"DEFLATE": "deflate", "SNAPPY": "snappy", "NONE": "null"}[compression]
    records = [dict(zip(names, r, strict=True)) for r in rows]
    fastavro.writer(today, parse_schema(avro_schema(feed)), records, codec=codec)
    parts: list[bytes] = []

    def finish_part(number: int, stream: Any, result: Any) -> None:
        parts.append(stream.getvalue())

    write_parts(AvroWriter, feed, compression, rows, lambda n: io.BytesIO(), finish_part,
                300_000, prepared=True)  # fmt: skip
    assert len(parts) >= 2  # bounded parts, each a whole container file
    new = [record for part in parts for record in read_avro(part)]  # Apache avro
    assert new == read_avro(today.getvalue())
    published = json.loads(json.dumps(avro_schema(feed)))
    with_fastavro = [r for part in parts for r in fastavro.reader(io.BytesIO(part), published)]
    assert with_fastavro == list(fastavro.reader(io.BytesIO(today.getvalue()), published))
    header = fastavro.reader(io.BytesIO(parts[0])).writer_schema
    assert header == fastavro.reader(io.BytesIO(today.getvalue())).writer_schema


def test_an_empty_part_is_a_valid_container_with_no_records() -> None:
    stream = io.BytesIO()
    writer = AvroWriter("standard_feed", stream, "DEFLATE", prepared=True)
    writer.write_rows([])
    writer.close()
    assert read_avro(stream.getvalue()) == []
