"""A window's or an hour's rows as Python values, for writers that convert them in bulk (an
Iceberg table's Parquet): the same rows, order and filter as `reading.window_rows`, on
PostgreSQL streamed in binary rather than fetched through the ORM in chunks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import psycopg
from django.db import connection
from psycopg import sql

from ..schema.columns import Column
from .reading import select_statement, window_rows
from .row_filters import Conditions

BATCH_ROWS = 5000
# Chunked streaming needs libpq 17 (the psycopg[binary] wheels ship it); older: row by row.
STREAM_SIZE = BATCH_ROWS if psycopg.pq.version() >= 170000 else 1


def hour_values(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    *,
    filters: Conditions,
) -> Iterator[tuple[Any, ...]]:
    """An hour's rows (as `reading.hour_rows`): event time in [start, end), received before the
    run's data cutoff."""
    return _values(feed, tenant_id, "event_time", start, end, received_before, None, filters)


def window_values(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    columns: Sequence[Column] | None,
    *,
    filters: Conditions,
) -> Iterator[tuple[Any, ...]]:
    """A raw window's rows, by received time, in `columns`."""
    return _values(feed, tenant_id, "received_at", start, end, None, columns, filters)


def _values(
    feed: str,
    tenant_id: int,
    field: str,
    start: datetime,
    end: datetime,
    received_before: datetime | None,
    columns: Sequence[Column] | None,
    filters: Conditions,
) -> Iterator[tuple[Any, ...]]:
    if connection.vendor != "postgresql":
        return window_rows(
            feed, tenant_id, field, start, end, received_before, columns=columns, filters=filters
        )
    statement = select_statement(
        feed, tenant_id, start, end, received_before, {}, field=field, columns=columns,
        filters=filters,
    )  # fmt: skip
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
