"""Splitting a stream of rows into files of bounded size, every row exactly once, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from typing import IO

from .base import FormatWriter, PartResult, Row

BATCH_ROWS = 1000


def write_parts(
    writer: type[FormatWriter],
    feed: str,
    compression: str,
    rows: Iterable[Row],
    open_part: Callable[[int], IO[bytes]],
    finish_part: Callable[[int, IO[bytes], PartResult], None],
    max_part_bytes: int,
    *,
    prepared: bool = False,
) -> list[PartResult]:
    """Write rows into parts numbered from 0; a part closes once it reaches max_part_bytes.

    A window with no rows still gets one (empty) part, so a missing file means a failure.
    `prepared`: the rows hold the writer's prepared_types (reading), not Python values.
    """
    results: list[PartResult] = []
    iterator = iter(rows)
    batch = list(islice(iterator, BATCH_ROWS))  # one batch ahead: no trailing empty part
    number = 0
    while True:
        stream = open_part(number)
        part = writer(feed, stream, compression, prepared=prepared)
        taken = False
        # At least one batch per part, or a limit below the header size would never end.
        while batch and (not taken or part.bytes_written < max_part_bytes):
            part.write_rows(batch)
            taken = True
            batch = list(islice(iterator, BATCH_ROWS))
        result = part.close()
        finish_part(number, stream, result)
        results.append(result)
        if not batch:
            return results
        number += 1
