"""Synthetic events as PostgreSQL COPY text, for `generate_events` at benchmark scale.

`Generator` makes one typed row at a time, and formatting typed values for COPY costs more than
making them. Here runs of adjacent columns draw from pools of pre-joined, COPY-formatted
segments that the row generator made (values within a segment are independent draws, so each
column keeps `Generator`'s distribution); only what must differ per row (unique ids, times) is
made per row, and rows are joined in C. The same seed gives the same events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from .columns import Column
from .synthetic import LATE_SHARE, Generator

POOL_SIZE = 4096
SEGMENT_COLUMNS = 6  # 4096**k combinations for a run of 6k pooled columns
M = 1_000_000  # microseconds per second
NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_VARIANT = "89ab89ab89ab89ab"  # RFC 4122 variant nibble for each possible hex digit


def copy_text(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).translate(_ESCAPES)


def _unique(column: Column) -> bool:
    """Columns whose values must differ per row (ids), so no pool can stand in for them."""
    name = column.name
    return (name.endswith("_id") and column.type == "string") or name in (
        "order_id",
        "auction_id_64",
        "user_id_64",
    )


class BulkGenerator(Generator):
    def copy_chunks(
        self, tenant_id: int, count: int, start: datetime, end: datetime, chunk: int = 50_000
    ) -> Iterator[tuple[str, int]]:
        """(COPY text, rows) chunks for tenant_id, received_at, then the feed's columns.

        Rows within a chunk are in event-time order, so nearly in received order, as they
        would arrive (and as the time indexes prefer them).
        """
        span = int((end - start) / timedelta(microseconds=1))
        if span <= 0:
            raise ValueError("end must be after start")
        parts = self._parts()
        stamp = _Seconds(start)
        random, last = self.rng.random, span - 1
        prefix = f"{tenant_id}\t"
        done = 0
        while done < count:
            n = min(chunk, count - done)
            events = sorted(self.rng.choices(range(span), k=n))
            # Seconds after the event, a few (LATE_SHARE) hours after; never at or after end.
            received = [
                min(o + int(M * (600 + random() * 6600 if random() < LATE_SHARE else random() * 20)), last)  # noqa: E501
                for o in events
            ]  # fmt: skip
            columns = [
                [f"{stamp[o // M]}{o % M:06d}+00" for o in events] if part is None else part(n)
                for part in parts
            ]
            times = [f"{prefix}{stamp[o // M]}{o % M:06d}+00\t" for o in received]
            lines = map(
                "".join, zip(times, map("\t".join, zip(*columns, strict=True)), strict=True)
            )
            yield "\n".join(lines) + "\n", n
            done += n

    def _parts(self) -> list[Callable[[int], list[str]] | None]:
        """One maker per segment, in column order; None stands for event_time."""
        parts: list[Callable[[int], list[str]] | None] = []
        run: list[Column] = []

        def flush() -> None:
            for i in range(0, len(run), SEGMENT_COLUMNS):
                parts.append(self._pooled(run[i : i + SEGMENT_COLUMNS]))
            run.clear()

        for column in self.columns:
            if column.name == "event_time" or _unique(column):
                flush()
                parts.append(None if column.name == "event_time" else self._unique_maker(column))
            else:
                run.append(column)
        flush()
        return parts

    def _pooled(self, columns: list[Column]) -> Callable[[int], list[str]]:
        rng = self.rng
        makers = [(self._maker(c), 0.1 if c.nullable else 0.0) for c in columns]
        pool = [
            "\t".join(
                NULL if nulls and rng.random() < nulls else copy_text(make())
                for make, nulls in makers
            )
            for _ in range(POOL_SIZE)
        ]
        return lambda n: rng.choices(pool, k=n)

    def _unique_maker(self, column: Column) -> Callable[[int], list[str]]:
        rng, nulls = self.rng, 0.1 if column.nullable else 0.0

        def with_nulls(values: list[str]) -> list[str]:
            if nulls:
                return [NULL if rng.random() < nulls else v for v in values]
            return values

        if column.type != "string":
            return lambda n: with_nulls([str(rng.getrandbits(63)) for _ in range(n)])

        def uuids(n: int) -> list[str]:
            h = rng.randbytes(16 * n).hex()
            return with_nulls([
                f"{h[i:i+8]}-{h[i+8:i+12]}-4{h[i+13:i+16]}-{_VARIANT[int(h[i+16], 16)]}"
                f"{h[i+17:i+20]}-{h[i+20:i+32]}"
                for i in range(0, 32 * n, 32)
            ])  # fmt: skip

        return uuids


class _Seconds(dict[int, str]):
    """Second n after start as COPY text up to the decimal point, each formatted once."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.start = start.astimezone(UTC)

    def __missing__(self, second: int) -> str:
        if len(self) > 100_000:  # spans of days: bound the cache
            self.clear()
        text = self[second] = f"{self.start + timedelta(seconds=second):%Y-%m-%d %H:%M:%S.}"
        return text
