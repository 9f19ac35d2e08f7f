"""CSV.gz of the raw feeds, read back with gzip and csv."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.formats.values import csv_text
from feeds.schema.derived import csv_header

from .conftest import edge_rows, row_strategy, synthetic_rows, write
from .readers import read_csv_gz


def test_it_writes_a_header_and_every_row() -> None:
    rows = synthetic_rows("clicks", 500) + edge_rows("clicks")
    data, result = write("csv", "clicks", "GZIP", rows)
    table = read_csv_gz(data)
    assert table[0] == csv_header("clicks")
    assert table[1:] == [[csv_text(v) for v in row] for row in rows]
    assert (result.rows, result.bytes, result.md5) == (
        len(rows),
        len(data),
        hashlib.md5(data).hexdigest(),
    )


def test_it_writes_a_header_only_file_for_an_empty_window() -> None:
    data, result = write("csv", "conversions", "GZIP", [])
    assert read_csv_gz(data) == [csv_header("conversions")]
    assert result.rows == 0


def test_it_follows_rfc_4180() -> None:
    row = list(synthetic_rows("clicks", 1)[0])
    row[6] = 'a "quoted", multi\nline'
    import gzip

    data, _ = write("csv", "clicks", "GZIP", [tuple(row)])
    text = gzip.decompress(data).decode()
    assert text.endswith("\n") and "\r" not in text
    assert len(list(csv.reader(io.StringIO(text)))) == 2  # the embedded line break is quoted
    assert '"a ""quoted"", multi\nline"' in text


def test_it_writes_the_same_bytes_for_the_same_rows() -> None:
    rows = synthetic_rows("clicks", 100)
    assert (
        write("csv", "clicks", "GZIP", rows)[1].md5 == write("csv", "clicks", "GZIP", rows)[1].md5
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy("clicks"), max_size=5))
def test_any_row_round_trips(rows: list[tuple[Any, ...]]) -> None:
    data, _ = write("csv", "clicks", "GZIP", rows)
    assert read_csv_gz(data)[1:] == [[csv_text(v) for v in row] for row in rows]
