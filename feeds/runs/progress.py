"""A running export's row count, written to its ledger row every few seconds for the pages."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Protocol, TypeVar

from . import ledger

T = TypeVar("T")
B = TypeVar("B", bound="HasRows")


class HasRows(Protocol):
    @property
    def rows(self) -> int: ...


INTERVAL_SECONDS = 2.0
CHECK_EVERY = 4096  # rows between clock reads: keeps the per-row cost to a counter


class RowCounter:
    """Counts rows passing through and reports them; the final count is written by the ledger."""

    def __init__(
        self,
        run_id: int,
        interval: float = INTERVAL_SECONDS,
        report: Callable[[int], None] | None = None,
    ) -> None:
        self.interval = interval
        # A slice of a large hour reports its own rows (slices.report_slice_rows), a run its rows.
        self.report = report or partial(ledger.report_run_rows, run_id)
        self.rows = 0
        self._next_report = time.monotonic() + interval

    def add(self, rows: int) -> None:
        self.rows += rows
        now = time.monotonic()
        if now >= self._next_report:
            self._next_report = now + self.interval
            self.report(self.rows)

    def count_batches(self, batches: Iterable[B]) -> Iterator[B]:
        """Batches of rows (binary_copy.Batch) passing through, counted by their rows."""
        for batch in batches:
            yield batch
            self.add(batch.rows)

    def count(self, rows: Iterable[T]) -> Iterator[T]:
        pending = 0
        for row in rows:
            yield row
            pending += 1
            if pending == CHECK_EVERY:
                self.add(pending)
                pending = 0
        self.add(pending)
