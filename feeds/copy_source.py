"""A raw window read by PostgreSQL itself as CSV: `COPY (SELECT …) TO STDOUT (FORMAT csv)`.

About six times faster than fetching rows into Python and writing them with `csv`. The SELECT
formats each value exactly as `formats.values.csv_text` does, so both paths write the same
fields: ISO 8601 UTC timestamps with microseconds, true/false, plain decimals, and an empty
field for a null or an empty string.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db import connection
from psycopg import sql

from .columns import COLUMNS, Column
from .models import EVENT_MODELS

TIMESTAMP_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'


def _expression(column: Column) -> sql.Composable:
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


def copy_statement(feed: str, tenant_id: int, start: datetime, end: datetime) -> sql.Composed:
    return sql.SQL(
        "COPY (SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND received_at >= {start} AND received_at < {end} ORDER BY received_at, id)"
        " TO STDOUT (FORMAT csv)"
    ).format(
        columns=sql.SQL(", ").join(_expression(c) for c in COLUMNS[feed]),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        start=sql.Literal(start),
        end=sql.Literal(end),
    )


class CsvWindow:
    """Iterate for CSV chunks; `rows` holds the row count once iteration ends."""

    def __init__(self, feed: str, tenant_id: int, start: datetime, end: datetime) -> None:
        self.statement = copy_statement(feed, tenant_id, start, end)
        self.rows = 0

    def __iter__(self) -> Iterator[memoryview]:
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(self.statement) as copy:
                yield from copy
            self.rows = raw.rowcount
