"""Large windows are split into parts at a size threshold, every row exactly once, in order."""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any

import pytest

from feeds.formats import PartResult, write_parts, writer_class

from .conftest import synthetic_rows
from .readers import read_avro, read_csv_gz


def _split(
    data_format: str, compression: str, rows: list[Any], limit: int
) -> tuple[list[bytes], list[PartResult]]:
    buffers: dict[int, io.BytesIO] = {}

    def open_part(number: int) -> IO[bytes]:
        buffers[number] = io.BytesIO()
        return buffers[number]

    finished: list[int] = []
    results = write_parts(
        writer_class(data_format), "clicks", compression, rows, open_part,
        lambda number, stream, result: finished.append(number), limit,
    )  # fmt: skip
    assert finished == list(range(len(results)))
    return [buffers[n].getvalue() for n in sorted(buffers)], results


@pytest.mark.parametrize(("data_format", "compression"), [("csv", "GZIP"), ("avro", "DEFLATE")])
def test_it_splits_at_the_threshold_keeping_every_row_once_in_order(
    data_format: str, compression: str
) -> None:
    rows = synthetic_rows("clicks", 20_000)
    parts, results = _split(data_format, compression, rows, 200_000)
    assert len(parts) > 2
    if data_format == "csv":
        back = [line for part in parts for line in read_csv_gz(part)[1:]]
        assert len(back) == len(rows) and back[0][0] == rows[0][0] and back[-1][0] == rows[-1][0]
    else:
        back_ids = [record["click_id"] for part in parts for record in read_avro(part)]
        assert back_ids == [row[0] for row in rows]
    for data, result in zip(parts, results, strict=True):
        assert (result.bytes, result.md5) == (len(data), hashlib.md5(data).hexdigest())
    assert sum(result.rows for result in results) == len(rows)


def test_an_empty_window_still_gets_one_file() -> None:
    parts, results = _split("csv", "GZIP", [], 1000)
    assert len(parts) == 1 and results[0].rows == 0


def test_it_adds_no_empty_trailing_part() -> None:
    rows = synthetic_rows("clicks", 1000)  # exactly one batch
    _, results = _split("csv", "GZIP", rows, 10_000_000)
    assert [r.rows for r in results] == [1000]


def test_it_puts_at_least_one_batch_in_each_part_even_below_the_header_size() -> None:
    rows = synthetic_rows("clicks", 2500)
    _, results = _split("csv", "GZIP", rows, 1)
    assert [r.rows for r in results] == [1000, 1000, 500]
