"""Splitting a stream of rows into files of bounded size, every row exactly once, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import IO, TYPE_CHECKING, Any

from .base import FormatWriter, PartResult

if TYPE_CHECKING:
    from .binary_copy import Batch

BATCH_ROWS = 1000  # rows (or records) written between two looks at a part's size


def write_parts(
    writer: type[FormatWriter],
    feed: str,
    compression: str,
    rows: Iterable[Any],
    open_part: Callable[[int], IO[bytes]],
    finish_part: Callable[[int, IO[bytes], PartResult], None],
    max_part_bytes: int,
    *,
    batches: bool = False,
) -> list[PartResult]:
    """Write rows into parts numbered from 0; a part closes once it reaches max_part_bytes.

    A window with no rows still gets one (empty) part, so a missing file means a failure.
    `batches`: `rows` are binary COPY batches (reading), encoded a batch at a time by the
    writer and written BATCH_ROWS records at a time, not Python rows.
    """
    chunks = _records(writer, feed, rows) if batches else _rows(rows)
    results: list[PartResult] = []
    chunk = next(chunks, None)  # one chunk ahead: no trailing empty part
    number = 0
    while True:
        stream = open_part(number)
        part = writer(feed, stream, compression)
        taken = False
        # At least one chunk per part, or a limit below the header size would never end.
        while chunk is not None and (not taken or part.bytes_written < max_part_bytes):
            if batches:
                part.write_records(chunk)
            else:
                part.write_rows(chunk)
            taken = True
            chunk = next(chunks, None)
        result = part.close()
        finish_part(number, stream, result)
        results.append(result)
        if chunk is None:
            return results
        number += 1


def _rows(rows: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_ROWS)):
        yield batch


def _records(writer: type[FormatWriter], feed: str, batches: Iterable[Batch]) -> Iterator[Any]:
    for batch in batches:
        records = writer.encode(feed, batch)
        for first in range(0, len(records), BATCH_ROWS):
            yield records.slice(first, BATCH_ROWS)
