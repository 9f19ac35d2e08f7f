"""Protobuf in Hadoop SequenceFiles (read by Hadoop's own reader) and length-delimited."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.formats.sequencefile import vint
from feeds.schema.derived import message_class

from .conftest import (
    ON_THE_SPARK_WORKER,
    edge_rows,
    row_strategy,
    synthetic_rows,
    write,
    write_batches,
)
from .readers import message_row, read_delimited

VALUE_CLASS = "org.apache.hadoop.io.BytesWritable"


@pytest.mark.parametrize(
    ("value", "encoded"),
    [(0, "00"), (127, "7f"), (-112, "90"), (128, "8f80"), (256, "8e0100"), (-113, "8770")],
)
def test_vints_match_hadoop(value: int, encoded: str) -> None:
    assert vint(value).hex() == encoded


@ON_THE_SPARK_WORKER
@pytest.mark.parametrize("writes", [write, write_batches], ids=["rows", "batches"])
@pytest.mark.parametrize("codec", ["NONE", "DEFLATE", "GZIP", "SNAPPY"])
def test_hadoop_reads_every_sequencefile_codec(
    spark: Any, tmp_path: Path, codec: str, writes: Any
) -> None:
    # Enough rows for several 1 MB blocks (and several Snappy chunks per buffer).
    rows = synthetic_rows("standard_feed", 8000) + edge_rows("standard_feed")
    data, result = writes("protobuf", "standard_feed", codec, rows)
    path = tmp_path / f"part-{codec}.seq"
    path.write_bytes(data)
    pairs = spark.sequenceFile(
        str(path), "org.apache.hadoop.io.NullWritable", VALUE_CLASS
    ).collect()
    cls = message_class("standard_feed")
    assert [message_row("standard_feed", cls.FromString(bytes(v))) for _, v in pairs] == rows
    assert {key for key, _ in pairs} == {None}
    assert (result.rows, result.md5) == (len(rows), hashlib.md5(data).hexdigest())


@ON_THE_SPARK_WORKER
def test_hadoop_reads_an_empty_file(spark: Any, tmp_path: Path) -> None:
    for codec in ("NONE", "SNAPPY"):
        path = tmp_path / f"empty-{codec}.seq"
        path.write_bytes(write("protobuf", "standard_feed", codec, [])[0])
        assert spark.sequenceFile(str(path), None, VALUE_CLASS).collect() == []


@pytest.mark.parametrize("writes", [write, write_batches], ids=["rows", "batches"])
@pytest.mark.parametrize("compression", ["NONE", "GZIP"])
def test_delimited_messages_round_trip(compression: str, writes: Any) -> None:
    import gzip

    rows = synthetic_rows("standard_feed", 5000) + edge_rows("standard_feed")
    data, result = writes("protobuf-delimited", "standard_feed", compression, rows)
    raw = gzip.decompress(data) if compression == "GZIP" else data
    assert [message_row("standard_feed", m) for m in read_delimited(raw, "standard_feed")] == rows
    assert (result.bytes, result.md5) == (len(data), hashlib.md5(data).hexdigest())


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy("standard_feed"), max_size=5))
def test_any_row_round_trips_through_protobuf(rows: list[tuple[Any, ...]]) -> None:
    for writes in (write, write_batches):
        data, _ = writes("protobuf-delimited", "standard_feed", "NONE", rows)
        back = [message_row("standard_feed", m) for m in read_delimited(data, "standard_feed")]
        assert back == rows


@pytest.mark.parametrize(
    ("data_format", "compression", "container"),
    [("protobuf", "NONE", "SEQUENCE"), ("protobuf", "SNAPPY", "SEQUENCE"),
     ("protobuf-delimited", "GZIP", "NONE")],
)  # fmt: skip
def test_it_declares_the_manifest_properties(
    data_format: str, compression: str, container: str
) -> None:
    from feeds.formats import writer_class

    properties = writer_class(data_format).feed_properties(compression)
    assert properties == {"compression_type": compression, "container_format": container,
                          "data_format": data_format, "checksum_type": "MD5"}  # fmt: skip
