"""Every read of events for an export, for both paths: with hour_counts.py (what a run counts of
an hour without reading it), the only modules that query the tables.

- A raw window (received time) as CSV: on PostgreSQL the server writes the CSV itself, `COPY
  (SELECT …) TO STDOUT (FORMAT csv)`, about six times faster than fetching rows into Python and
  writing them with `csv`. The SELECT formats each value exactly as `formats.values.csv_text`
  does, so both paths write the same fields: ISO 8601 UTC timestamps with microseconds,
  true/false, plain decimals, and an empty field for a null or an empty string. The COPY's
  messages (one per row) are joined into 1 MiB chunks before the writer sees them.
- A raw window as JSON Lines: PostgreSQL renders each line too (`row_to_json`, with the values
  as the Python writer gives them), sent the same way.
- A log-level hour (event time, received before the run's data cutoff) as a binary COPY, its
  values already as the writer wants them, handed over in batches whose fields are located in
  bulk, never decoded row by row (binary_copy). A writer names how it takes timestamps and
  decimals (`FormatWriter.prepared_types`): PostgreSQL's binary microseconds, plain decimal
  text, or the unscaled integer as big-endian bytes (Avro's decimal). PostgreSQL computes those
  on its own core while this process encodes (bench/, README "Performance").
- A raw window as Parquet: the same binary COPY batches by received time, which the writer
  turns into Arrow columns a batch at a time (formats.arrow_batches).
- Elsewhere (SQLite) rows come through the ORM as Python values (`window_rows`).

Every read, count and slice plan of a run (here and in hour_counts.py) takes the run's row filter
(`filters`, the conditions recorded when the run started; row_filters), a required keyword of
each entry point so that no reader, of any format, can leave it out: the files and the counts
the ledger reports hold exactly the rows the filter keeps.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q
from psycopg import sql

from ..formats import CsvGzWriter, FormatWriter, JsonLinesGzWriter, binary_copy
from ..formats.values import to_micros
from ..models import EVENT_MODELS
from ..schema.columns import COLUMNS, Column
from . import row_filters
from .row_filters import Conditions

if TYPE_CHECKING:
    from .progress import RowCounter

CHUNK_ROWS = 5000
# COPY text handed to a writer at once: a compressor call per row cost more than compressing.
CHUNK_BYTES = 1024 * 1024
TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def window_rows(
    feed: str,
    tenant_id: int,
    field: str,
    start: datetime,
    end: datetime,
    received_before: datetime | None = None,
    columns: Sequence[Column] | None = None,
    *,
    filters: Conditions,
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
        row_filters.as_q(feed, filters), tenant_id=tenant_id, **{f"{field}__lt": end}, **cutoff
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


def copy_statement(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    columns: Sequence[Column] | None = None,
    filters: Conditions = (),
) -> sql.Composed:
    return sql.SQL(
        "COPY (SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND received_at >= {start} AND received_at < {end}{kept} ORDER BY received_at, id)"
        " TO STDOUT (FORMAT csv)"
    ).format(
        kept=row_filters.as_sql(feed, filters),
        columns=sql.SQL(", ").join(_csv_expression(c) for c in (columns or COLUMNS[feed])),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        start=sql.Literal(start),
        end=sql.Literal(end),
    )


def _json_expression(column: Column) -> sql.Composable:
    """A column's value in JSON Lines: as `formats.jsonl_gz.json_value` gives it."""
    name, public = sql.Identifier("e", column.name), sql.Identifier(column.public_name)
    value: sql.Composable
    if column.type == "timestamp":
        value = sql.SQL("to_char({} AT TIME ZONE 'UTC', {})").format(
            name, sql.Literal(TIMESTAMP_FORMAT)
        )
    elif column.type == "decimal":
        value = sql.SQL("{}::text").format(name)  # plain notation, the column's scale
    else:
        value = name
    return sql.SQL("{} AS {}").format(value, public)


def json_copy_statement(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    columns: Sequence[Column] | None = None,
    filters: Conditions = (),
) -> sql.Composed:
    """The window as JSON Lines rendered by PostgreSQL: `row_to_json` of a projection whose
    names are the public names, in the chosen order. It writes what the Python writer writes:
    no spaces (`{"a":1,"b":"x"}`), non-ASCII as it is, `"`, `\\` and control characters
    escaped. Sent as CSV with a delimiter and a quote that JSON text never holds unescaped
    (U+0001, U+0002; JSON escapes every control character, and line breaks), so each line
    comes out exactly as rendered: text COPY would double every backslash."""
    return sql.SQL(
        "COPY (SELECT row_to_json(j) FROM {table} e CROSS JOIN LATERAL (SELECT {columns}) j"
        " WHERE e.tenant_id = {tenant} AND e.received_at >= {start} AND e.received_at < {end}"
        "{kept} ORDER BY e.received_at, e.id) TO STDOUT (FORMAT csv, DELIMITER E'\\x01',"
        " QUOTE E'\\x02')"
    ).format(
        columns=sql.SQL(", ").join(_json_expression(c) for c in (columns or COLUMNS[feed])),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        start=sql.Literal(start),
        end=sql.Literal(end),
        kept=row_filters.as_sql(feed, filters, table="e"),
    )


class CopyText:
    """Iterate for the text a `COPY … TO STDOUT` statement writes, in chunks of about
    CHUNK_BYTES; `rows` holds the row count once iteration ends.

    PostgreSQL sends one message per row: they are joined here into large chunks, as a call of
    the compressor, the MD5 and the spool per row cost more than the compression itself."""

    def __init__(self, statement: sql.Composed) -> None:
        self.statement = statement
        self.rows = 0

    def __iter__(self) -> Iterator[bytearray]:
        with connection.cursor() as cursor, cursor.cursor.copy(self.statement) as copy:
            # A row libpq already holds is taken straight from it, as binary_copy does:
            # psycopg's reader costs a generator and a wait per row.
            pgconn = cursor.cursor.connection.pgconn
            chunk, rows = bytearray(), 0
            while True:
                size, message = pgconn.get_copy_data(1)
                if size == 0:
                    message = copy.read()  # none there yet: wait; at the end, b""
                    if not message:
                        break
                elif size < 0:  # the end, seen here: the final result is ours to read
                    binary_copy.final_result(pgconn)
                    break
                chunk += message
                rows += 1  # one message per row, line breaks inside values included
                if len(chunk) >= CHUNK_BYTES:
                    yield chunk
                    chunk = bytearray()
            if chunk:
                yield chunk
            self.rows = rows


def write_window(
    writer: FormatWriter,
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    counter: RowCounter,
    *,
    filters: Conditions,
) -> None:
    """A raw window into `writer`. On PostgreSQL the server renders CSV and JSON Lines itself
    (COPY of the text, `write_text`), and Parquet's rows come as binary COPY batches streamed on
    a connection of their own (`write_batch`, counted for the run's progress reports); elsewhere
    (SQLite) rows come through the ORM as Python values."""
    if connection.vendor != "postgresql":
        rows = window_rows(
            feed, tenant_id, "received_at", start, end, columns=writer.columns, filters=filters
        )
        writer.write_rows(counter.count(rows))
        return
    if isinstance(writer, CsvGzWriter | JsonLinesGzWriter):
        # No progress reports here: the connection is busy streaming the COPY, and a query on
        # it would wait for the COPY forever. At several hundred thousand rows a second, the
        # run ends before a report would matter.
        render = copy_statement if isinstance(writer, CsvGzWriter) else json_copy_statement
        text = CopyText(render(feed, tenant_id, start, end, writer.columns, filters))
        for chunk in text:
            writer.write_text(chunk)
        writer.rows = text.rows
        return
    statement = select_statement(
        feed, tenant_id, start, end, None, writer.prepared_types,
        field="received_at", columns=writer.columns, filters=filters,
    )  # fmt: skip
    widths = copy_widths(feed, writer.prepared_types, writer.columns)
    for batch in counter.count_batches(binary_copy.batches(statement, widths)):
        writer.write_batch(batch)


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


def copy_widths(
    feed: str, prepared_types: dict[str, str], columns: Sequence[Column] | None = None
) -> list[int | None]:
    """Per column of the feed (or of `columns`), the binary COPY width every value has, or None
    (nullable or of varying length), for binary_copy.parse."""
    return [
        None if column.nullable else WIDTHS.get(prepared_types.get(column.type, column.type))
        for column in columns or COLUMNS[feed]
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
    filters: Conditions = (),
) -> sql.Composed:
    """The rows with `field` in [start, end) (received before the cutoff, when given) that the
    filter keeps, in the same order as window_rows."""
    cutoff = (
        sql.SQL("")
        if received_before is None
        else sql.SQL(" AND received_at < {}").format(sql.Literal(received_before))
    )
    return sql.SQL(
        "SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND {field} >= {start} AND {field} < {end}{cutoff}{kept} ORDER BY {field}, id"
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
        kept=row_filters.as_sql(feed, filters),
    )


def hour_rows(
    writer: type[FormatWriter],
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    *,
    filters: Conditions,
) -> tuple[Generator[Any], bool]:
    """Rows with event_time in [start, end), received before the run's data cutoff, for
    `writer`, and whether they come as binary COPY batches (binary_copy) rather than rows."""
    if connection.vendor == "postgresql" and writer.prepared_types:
        statement = select_statement(
            feed, tenant_id, start, end, received_before, writer.prepared_types, filters=filters
        )
        return binary_copy.batches(statement, copy_widths(feed, writer.prepared_types)), True
    rows = window_rows(feed, tenant_id, "event_time", start, end, received_before, filters=filters)
    return rows, False
