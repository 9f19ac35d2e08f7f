"""Avro container files, read back by Apache Avro's reference Python library."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.schema.columns import COLUMNS

from .conftest import edge_rows, row_strategy, synthetic_rows, write, write_batches
from .readers import read_avro


def _rows(records: list[dict[str, Any]], feed: str) -> list[tuple[Any, ...]]:
    return [tuple(record[c.name] for c in COLUMNS[feed]) for record in records]


@pytest.mark.parametrize("writes", [write, write_batches], ids=["rows", "batches"])
@pytest.mark.parametrize("codec", ["NONE", "DEFLATE", "SNAPPY"])
def test_every_codec_round_trips(codec: str, writes: Any) -> None:
    rows = synthetic_rows("standard_feed", 8000) + edge_rows("standard_feed")
    data, result = writes("avro", "standard_feed", codec, rows)
    assert _rows(read_avro(data), "standard_feed") == rows
    assert (result.rows, result.bytes, result.md5) == (
        len(rows),
        len(data),
        hashlib.md5(data).hexdigest(),
    )


def test_it_declares_the_manifest_properties() -> None:
    from feeds.formats import writer_class

    assert writer_class("avro").feed_properties("SNAPPY") == {
        "compression_type": "SNAPPY",
        "container_format": "AVRO",
        "data_format": "avro",
        "checksum_type": "MD5",
    }


@settings(max_examples=40, deadline=None)
@given(
    st.lists(row_strategy("standard_feed"), max_size=4),
    st.sampled_from(["NONE", "DEFLATE", "SNAPPY"]),
)
def test_any_row_round_trips_exactly(rows: list[tuple[Any, ...]], codec: str) -> None:
    for writes in (write, write_batches):
        data, _ = writes("avro", "standard_feed", codec, rows)
        assert _rows(read_avro(data), "standard_feed") == rows
