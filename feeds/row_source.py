"""A log-level window read from PostgreSQL in binary, its values already as the writer wants them.

A writer names how it takes timestamps and decimals (`FormatWriter.prepared_types`): epoch
microseconds, plain decimal text, or the unscaled integer as big-endian bytes (Avro's decimal).
PostgreSQL computes those on its own core while this process serializes: at 1 M rows that
halves a protobuf export against fetching Decimal and datetime objects through the ORM
(bench/, README "Performance"). Elsewhere (SQLite) rows come through the ORM as Python values.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql

from .columns import COLUMNS, Column
from .events import window_rows
from .formats import FormatWriter
from .models import EVENT_MODELS

BATCH_ROWS = 5000
# Chunked streaming needs libpq 17 (the psycopg[binary] wheels ship it); older: row by row.
STREAM_SIZE = BATCH_ROWS if psycopg.pq.version() >= 170000 else 1

EXPRESSIONS: dict[str, str] = {
    # extract(epoch) is numeric since PostgreSQL 14: exact to the microsecond.
    "epoch_micros": "(extract(epoch FROM {column}) * 1000000)::bigint",
    # numeric's text never uses an exponent and keeps the column's scale, like formats.values.
    "decimal_text": "{column}::text",
    # Precision 18 fits a bigint; eight bytes of two's complement are a valid Avro decimal.
    "unscaled_bytes": "int8send(({column} * {factor})::bigint)",
}


def _expression(column: Column, prepared_types: dict[str, str]) -> sql.Composable:
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
    received_before: datetime,
    prepared_types: dict[str, str],
) -> sql.Composed:
    """The window's rows by event time, in the same order as events.window_rows."""
    return sql.SQL(
        "SELECT {columns} FROM {table} WHERE tenant_id = {tenant}"
        " AND event_time >= {start} AND event_time < {end} AND received_at < {cutoff}"
        " ORDER BY event_time, id"
    ).format(
        columns=sql.SQL(", ").join(_expression(c, prepared_types) for c in COLUMNS[feed]),
        table=sql.Identifier(EVENT_MODELS[feed]._meta.db_table),
        tenant=sql.Literal(tenant_id),
        start=sql.Literal(start),
        end=sql.Literal(end),
        cutoff=sql.Literal(received_before),
    )


def hour_rows(
    writer: type[FormatWriter],
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
) -> tuple[Iterator[tuple[Any, ...]], bool]:
    """Rows with event_time in [start, end), received before the run's data cutoff, for
    `writer`, and whether they come prepared."""
    if connection.vendor == "postgresql" and writer.prepared_types:
        statement = select_statement(
            feed, tenant_id, start, end, received_before, writer.prepared_types
        )
        return _prepared_rows(statement), True
    return window_rows(feed, tenant_id, "event_time", start, end, received_before), False


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
