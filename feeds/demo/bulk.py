"""Synthetic events as PostgreSQL binary COPY data, for `generate_events` at benchmark scale.

`Generator` makes one typed row at a time, and encoding typed values for COPY costs more than
making them. Here runs of adjacent columns draw from pools of pre-encoded segments that the row
generator made (values within a segment are independent draws, so each column keeps
`Generator`'s distribution); only what must differ per row (unique ids, times) is made per row,
and rows are joined in C. Binary, not text: the server then parses no numbers, decimals or
timestamps, which is most of what loading a wide row costs it (docs/feeds.md). Values are
encoded by psycopg's own binary dumpers; the same seed gives the same events.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from psycopg.adapt import Dumper
from psycopg.types.bool import BoolBinaryDumper
from psycopg.types.datetime import DatetimeBinaryDumper
from psycopg.types.numeric import DecimalBinaryDumper, Int4BinaryDumper, Int8BinaryDumper
from psycopg.types.string import StrBinaryDumper

from ..schema.columns import Column
from .synthetic import LATE_SHARE, Generator

POOL_SIZE = 4096
SEGMENT_COLUMNS = 6  # 4096**k combinations for a run of 6k pooled columns
M = 1_000_000  # microseconds per second
NULL = struct.pack(">i", -1)
POSTGRES_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # binary timestamps count from here
_INT8_FIELD = struct.Struct(">iq")
_VARIANT = "89ab89ab89ab89ab"  # RFC 4122 variant nibble for each possible hex digit
DUMPERS: dict[str, Dumper] = {
    "int64": Int8BinaryDumper(int),
    "int32": Int4BinaryDumper(int),
    "string": StrBinaryDumper(str),
    "decimal": DecimalBinaryDumper(Decimal),
    "bool": BoolBinaryDumper(bool),
    "timestamp": DatetimeBinaryDumper(datetime),
}


def copy_field(column: Column, value: Any) -> bytes:
    """One field of a binary COPY row: its length, then the value as the server stores it."""
    if value is None:
        return NULL
    data = bytes(DUMPERS[column.type].dump(value) or b"")
    return struct.pack(">i", len(data)) + data


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
    ) -> Iterator[tuple[bytes, int]]:
        """(binary COPY rows, rows) chunks for tenant_id, received_at, then the feed's columns;
        copy_events adds the signature and the trailer.

        Rows within a chunk are in event-time order, so nearly in received order, as they
        would arrive (and as the time indexes prefer them).
        """
        span = int((end - start) / timedelta(microseconds=1))
        if span <= 0:
            raise ValueError("end must be after start")
        parts = self._parts()
        base = int((start - POSTGRES_EPOCH) / timedelta(microseconds=1))
        stamp = _INT8_FIELD.pack
        random, last = self.rng.random, span - 1
        head = struct.pack(">h", len(self.columns) + 2) + stamp(8, tenant_id)
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
                [stamp(8, base + o) for o in events] if part is None else part(n) for part in parts
            ]
            heads = [head + stamp(8, base + o) for o in received]
            yield b"".join(map(b"".join, zip(heads, *columns, strict=True))), n
            done += n

    def _parts(self) -> list[Callable[[int], list[bytes]] | None]:
        """One maker per segment, in column order; None stands for event_time."""
        parts: list[Callable[[int], list[bytes]] | None] = []
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

    def _pooled(self, columns: list[Column]) -> Callable[[int], list[bytes]]:
        rng = self.rng
        makers = [(self._maker(c), 0.1 if c.nullable else 0.0) for c in columns]
        pool = [
            b"".join(
                copy_field(column, None if nulls and rng.random() < nulls else make())
                for (make, nulls), column in zip(makers, columns, strict=True)
            )
            for _ in range(POOL_SIZE)
        ]
        return lambda n: rng.choices(pool, k=n)

    def _unique_maker(self, column: Column) -> Callable[[int], list[bytes]]:
        rng, nulls = self.rng, 0.1 if column.nullable else 0.0

        def with_nulls(values: list[bytes]) -> list[bytes]:
            if nulls:
                return [NULL if rng.random() < nulls else v for v in values]
            return values

        if column.type != "string":
            field = _INT8_FIELD.pack
            return lambda n: with_nulls([field(8, rng.getrandbits(63)) for _ in range(n)])

        def uuids(n: int) -> list[bytes]:
            h = rng.randbytes(16 * n).hex()
            # Each field: its length (36, "\x00\x00\x00\x24"), then the UUID's text.
            return with_nulls([
                f"\x00\x00\x00\x24{h[i:i+8]}-{h[i+8:i+12]}-4{h[i+13:i+16]}-"
                f"{_VARIANT[int(h[i+16], 16)]}{h[i+17:i+20]}-{h[i+20:i+32]}".encode()
                for i in range(0, 32 * n, 32)
            ])  # fmt: skip

        return uuids
