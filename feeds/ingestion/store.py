"""Storing validated events, all or nothing; COPY on PostgreSQL, bulk inserts elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from typing import Any

from django.db import connection, transaction
from psycopg.copy import QueuedLibpqWriter

from exporthub.tenancy.models import Tenant

from ..models import EVENT_MODELS
from ..schema.columns import stored_columns
from .copy_format import SIGNATURE, TRAILER

BATCH = 5000
# Binary COPY: psycopg packs each value in C and the server reads it without parsing text.
COPY_TYPES = {"int64": "int8", "int32": "int4", "string": "text", "timestamp": "timestamptz",
              "decimal": "numeric", "bool": "bool"}  # fmt: skip


def _copy_from(feed: str) -> str:
    """COPY … FROM STDIN into the feed's table: tenant_id, received_at, then its columns."""
    columns = ", ".join(["tenant_id", "received_at", *(c.name for c in stored_columns(feed))])
    return f"COPY {EVENT_MODELS[feed]._meta.db_table} ({columns}) FROM STDIN"


def _copy_types(feed: str) -> list[str]:
    return ["int8", "timestamptz", *(COPY_TYPES[c.type] for c in stored_columns(feed))]


def store_events(
    tenant: Tenant, feed: str, events: Iterable[tuple[tuple[Any, ...], datetime]]
) -> int:
    """Insert (row, received_at) pairs in one transaction; return how many."""
    model = EVENT_MODELS[feed]
    names = [column.name for column in stored_columns(feed)]
    count = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            statement = _copy_from(feed) + " (FORMAT binary)"
            with connection.cursor() as cursor, cursor.copy(statement) as copy:
                copy.set_types(_copy_types(feed))
                for row, received_at in events:
                    copy.write_row((tenant.pk, received_at, *row))
                    count += 1
            return count
        iterator = iter(events)
        while batch := list(islice(iterator, BATCH)):
            model._default_manager.bulk_create(
                [
                    model(tenant=tenant, received_at=at, **dict(zip(names, row, strict=True)))
                    for row, at in batch
                ]
            )
            count += len(batch)
    return count


def copy_events(feed: str, chunks: Iterable[tuple[bytes, int]]) -> int:
    """PostgreSQL only: COPY binary rows (tenant_id, received_at, columns…; bulk.BulkGenerator)
    in one transaction; return the rows. For trusted, generated data: nothing is validated here.
    """
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        # A sending thread lets the next chunk be generated while the server parses this one.
        raw = cursor.cursor
        statement = _copy_from(feed) + " (FORMAT binary)"
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            copy.write(SIGNATURE)
            for data, rows in chunks:
                copy.write(data)
                count += rows
            copy.write(TRAILER)
    return count
