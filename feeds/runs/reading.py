"""Every read of events for an export, for both paths: the only module that queries the tables.

- A raw window (received time) as CSV: on PostgreSQL the server writes the CSV itself, `COPY
  (SELECT …) TO STDOUT (FORMAT csv)`, about six times faster than fetching rows into Python and
  writing them with `csv`. The SELECT formats each value exactly as `formats.values.csv_text`
  does, so both paths write the same fields: ISO 8601 UTC timestamps with microseconds,
  true/false, plain decimals, and an empty field for a null or an empty string.
- A log-level hour (event time, received before the run's data cutoff) as a binary COPY, its
  values already as the writer wants them, handed over in batches whose fields are located in
  bulk, never decoded row by row (binary_copy). A writer names how it takes timestamps and
  decimals (`FormatWriter.prepared_types`): PostgreSQL's binary microseconds, plain decimal
  text, or the unscaled integer as big-endian bytes (Avro's decimal). PostgreSQL computes those
  on its own core while this process encodes (bench/, README "Performance").
- A raw window in another format (Parquet, JSON Lines): the same binary stream by received
  time, with Python values (those writers convert them in bulk).
- Elsewhere (SQLite) rows come through the ORM as Python values (`window_rows`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from psycopg import sql

from ..formats import CsvGzWriter, FormatWriter, binary_copy
from ..formats.values import to_micros
from ..models import EVENT_MODELS
from ..schema.columns import COLUMNS, Column

CHUNK_ROWS = 5000
BATCH_ROWS = 5000
# Chunked streaming needs libpq 17 (the psycopg[binary] wheels ship it); older: row by row.
STREAM_SIZE = BATCH_ROWS if psycopg.pq.version() >= 170000 else 1
TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def window_rows(
    feed: str,
    tenant_id: int,
    field: str,
    start: datetime,
    end: datetime,
    received_before: datetime | None = None,
    columns: Sequence[Column] | None = None,
) -> Generator[tuple[Any, ...]]:
    """Rows with `field` (received_at or event_time) in [start, end), in a stable order; only
    those received before `received_before` when given (a log-level run's data cutoff).

    Read a page at a time, each page its own finished query, never one cursor left open: on
    SQLite (WAL) a connection whose read is still open cannot write once another process has
    committed ('database is locked' at once, whatever the busy timeout), and the worker writes
    the ledger between its reads while another worker commits its own. Pages follow the index
    (tenant, field) and the id; rows with the cutoff in the past no longer change."""
    model = EVENT_MODELS[feed]
    columns = columns or COLUMNS[feed]
    names = [column.hour_of or column.name for column in columns]
    hours = [index for index, column in enumerate(columns) if column.hour_of]
    cutoff = {} if received_before is None else {"received_at__lt": received_before}
    window = model._default_manager.filter(
        tenant_id=tenant_id, **{f"{field}__lt": end}, **cutoff
    ).order_by(field, "id")
    after = Q(**{f"{field}__gte": start})
    while True:
        rows = list(window.filter(after).values_list(*names, field, "id")[:CHUNK_ROWS])
        yield from (_hours_in(row[:-2], hours) if hours else row[:-2] for row in rows)
        if len(rows) < CHUNK_ROWS:
            return
        at, last = rows[-1][-2:]
        # The index range starts at the last row's time; among equal times, past its id.
        after = Q(**{f"{field}__gte": at}) & (Q(**{f"{field}__gt": at}) | Q(id__gt=last))


def _hours_in(row: tuple[Any, ...], hours: list[int]) -> tuple[Any, ...]:
    """The row with each derived column's timestamp turned into its hour, Unix milliseconds."""
    values = list(row)
    for index in hours:
        values[index] = to_micros(values[index]) // 3_600_000_000 * 3_600_000
    return tuple(values)


def _csv_expression(column: Column) -> sql.Composable:
    name = sql.Identifier(column.name)
    if column.type == "timestamp":
        return sql.SQL("to_char({} AT TIME ZONE 'UTC', {})").format(
            name, sql.Literal(TIMESTAMP_FORMAT)
        )
    if column.type == "bool":
        return sql.SQL("CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END").format(name)
    if column.type == "string":
        return sql.SQL("NULLIF({}, '')").format(name)  # else COPY quotes "" to tell it from null
    return name


def _hour(
    feed: str, tenant_id: int, start: datetime, end: datetime, received_before: datetime
) -> QuerySet[Any]:
    """The rows `hour_rows` reads: event time in [start, end), received before the cutoff."""
    return EVENT_MODELS[feed]._default_manager.filter(
        tenant_id=tenant_id,
        event_time__gte=start,
        event_time__lt=end,
        received_at__lt=received_before,
    )


def count_hour(
    feed: str, tenant_id: int, start: datetime, end: datetime, received_before: datetime
) -> int:
    """How many rows `hour_rows` reads for the same hour and data cutoff."""
    return _hour(feed, tenant_id, start, end, received_before).count()


def slice_starts(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    rows: int,
    size: int,
) -> list[datetime]:
    """Event times at which slices of about `size` rows begin, after the hour's first, for the
    `rows` rows `hour_rows` reads: one pass in event-time order (the hour's index), numbering
    the rows and keeping every size-th. Rows sharing a boundary's time all go to the later
    slice, so a slice may hold a few more or fewer."""
    firsts = list(range(size + 1, rows + 1, size))
    if not firsts:
        return []
    numbered = (
        _hour(feed, tenant_id, start, end, received_before)
        .annotate(n=Window(RowNumber(), order_by=F("event_time").asc()))
        .filter(n__in=firsts)
        .values_list("event_time", flat=True)
    )
    return sorted({moment for moment in numbered if moment > start})


def copy_statement(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    columns: Sequence[Column] | None = None,
) -> sql.Composed:
    return sql.SQL(
        "COPY (SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND received_at >= {start} AND received_at < {end} ORDER BY received_at, id)"
        " TO STDOUT (FORMAT csv)"
    ).format(
        columns=sql.SQL(", ").join(_csv_expression(c) for c in (columns or COLUMNS[feed])),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        start=sql.Literal(start),
        end=sql.Literal(end),
    )


class CsvWindow:
    """Iterate for CSV chunks; `rows` holds the row count once iteration ends."""

    def __init__(
        self,
        feed: str,
        tenant_id: int,
        start: datetime,
        end: datetime,
        columns: Sequence[Column] | None = None,
    ) -> None:
        self.statement = copy_statement(feed, tenant_id, start, end, columns)
        self.rows = 0

    def __iter__(self) -> Iterator[memoryview]:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(self.statement) as copy:
                yield from copy
            self.rows = raw.rowcount


def write_window(
    writer: FormatWriter,
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    count: Callable[[Iterable[tuple[Any, ...]]], Iterator[tuple[Any, ...]]],
) -> None:
    """A raw window into `writer`: for CSV on PostgreSQL the server writes the CSV itself
    (COPY); other formats take rows through `count` (the run's progress reports), on
    PostgreSQL streamed in binary on a connection of their own, else through the ORM."""
    if connection.vendor != "postgresql":
        rows = window_rows(feed, tenant_id, "received_at", start, end, columns=writer.columns)
        writer.write_rows(count(rows))
        return
    if not isinstance(writer, CsvGzWriter):
        statement = select_statement(
            feed, tenant_id, start, end, None, writer.prepared_types,
            field="received_at", columns=writer.columns,
        )  # fmt: skip
        writer.write_rows(count(_prepared_rows(statement)))
        return
    # No progress reports here: the connection is busy streaming the COPY, and a query on it
    # would wait for the COPY forever. At several hundred thousand rows a second, the run ends
    # before a report would matter.
    window = CsvWindow(feed, tenant_id, start, end, writer.columns)
    for chunk in window:
        writer.write_csv(chunk)
    writer.rows = window.rows


EXPRESSIONS: dict[str, str] = {
    # extract(epoch) is numeric since PostgreSQL 14: exact to the microsecond.
    # The column itself: its binary form is microseconds since 2000-01-01 UTC (PostgreSQL's
    # integer datetimes); binary_copy.Batch.micros moves them to the Unix epoch, exactly. Cheaper
    # for the server than extract(epoch …), which is numeric arithmetic (7 % of a 1 M-row COPY).
    "postgres_micros": "{column}",
    # numeric's text never uses an exponent and keeps the column's scale, like formats.values.
    "decimal_text": "{column}::text",
    # Precision 18 fits a bigint; eight bytes of two's complement are a valid Avro decimal.
    "unscaled_bytes": "int8send(({column} * {factor})::bigint)",
}


# Bytes of a value in PostgreSQL's binary form, where every value has the same.
WIDTHS = {"int64": 8, "int32": 4, "bool": 1, "postgres_micros": 8, "unscaled_bytes": 8}


def copy_widths(feed: str, prepared_types: dict[str, str]) -> list[int | None]:
    """Per column of the feed, the binary COPY width every value has, or None (nullable or of
    varying length), for binary_copy.parse."""
    return [
        None if column.nullable else WIDTHS.get(prepared_types.get(column.type, column.type))
        for column in COLUMNS[feed]
    ]


def _expression(column: Column, prepared_types: dict[str, str]) -> sql.Composable:
    if column.hour_of:  # epoch is exact (numeric); date_trunc would follow the session's zone
        return sql.SQL("(floor(extract(epoch FROM {}) / 3600) * 3600000)::int8").format(
            sql.Identifier(column.hour_of)
        )
    name = sql.Identifier(column.name)
    representation = prepared_types.get(column.type)
    if representation is None:
        return name
    return sql.SQL(EXPRESSIONS[representation]).format(
        column=name, factor=sql.Literal(10**column.scale)
    )


def select_statement(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime | None,
    prepared_types: dict[str, str],
    *,
    field: str = "event_time",
    columns: Sequence[Column] | None = None,
) -> sql.Composed:
    """The rows with `field` in [start, end) (received before the cutoff, when given), in the
    same order as window_rows."""
    cutoff = (
        sql.SQL("")
        if received_before is None
        else sql.SQL(" AND received_at < {}").format(sql.Literal(received_before))
    )
    return sql.SQL(
        "SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND {field} >= {start} AND {field} < {end}{cutoff} ORDER BY {field}, id"
    ).format(
        columns=sql.SQL(", ").join(
            _expression(c, prepared_types) for c in (columns or COLUMNS[feed])
        ),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        field=sql.Identifier(field),
        start=sql.Literal(start),
        end=sql.Literal(end),
        cutoff=cutoff,
    )


def hour_rows(
    writer: type[FormatWriter],
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
) -> tuple[Generator[Any], bool]:
    """Rows with event_time in [start, end), received before the run's data cutoff, for
    `writer`, and whether they come as binary COPY batches (binary_copy) rather than rows."""
    if connection.vendor == "postgresql" and writer.prepared_types:
        statement = select_statement(
            feed, tenant_id, start, end, received_before, writer.prepared_types
        )
        return binary_copy.batches(statement, copy_widths(feed, writer.prepared_types)), True
    return window_rows(feed, tenant_id, "event_time", start, end, received_before), False


def hour_values(
    feed: str, tenant_id: int, start: datetime, end: datetime, received_before: datetime
) -> Iterator[tuple[Any, ...]]:
    """An hour's rows (as `hour_rows`) as Python values, for writers that convert them in bulk
    (an Iceberg table's Parquet): on PostgreSQL streamed in binary on a connection of its own."""
    if connection.vendor != "postgresql":
        return window_rows(feed, tenant_id, "event_time", start, end, received_before)
    return _prepared_rows(select_statement(feed, tenant_id, start, end, received_before, {}))


def _prepared_rows(statement: sql.Composed) -> Iterator[tuple[Any, ...]]:
    if connection.in_atomic_block:
        return _in_transaction(statement)
    return _streamed(statement)


def _streamed(statement: sql.Composed) -> Iterator[tuple[Any, ...]]:
    """On a connection of its own: one statement, one snapshot, streamed as the server sends.

    Django's connection stays free meanwhile for the ledger (progress, lease), and the server
    keeps no copy of the window as a WITH HOLD cursor would."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        yield from psycopg.Cursor(raw).stream(statement, binary=True, size=STREAM_SIZE)
    finally:
        raw.close()


def _in_transaction(statement: sql.Composed) -> Iterator[tuple[Any, ...]]:
    """Inside the caller's transaction (which may hold the rows): a server-side cursor in it,
    fetched in batches, so the connection serves other queries between them."""
    connection.ensure_connection()
    cursor = connection.connection.cursor(name=f"window_{uuid.uuid4().hex}", binary=True)
    try:
        cursor.execute(statement)
        while batch := cursor.fetchmany(BATCH_ROWS):
            yield from batch
    finally:
        cursor.close()
