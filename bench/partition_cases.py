"""Partitions and retention (issue 19): dropping a day of a 14-day table at two sizes, and one
hour's read from a table holding 1 day vs 14 days."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from django.db import connection
from psycopg import sql

from exporthub.tenancy.models import Tenant
from feeds.demo.bulk import BulkGenerator
from feeds.ingestion import partitions
from feeds.ingestion.store import copy_events
from feeds.models import EVENT_MODELS

from . import setup
from .measure import record

FIRST_DAY = datetime(2026, 10, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _fill(owner: Tenant, feed: str, days: int, rows_per_day: int) -> None:
    """`days` days from FIRST_DAY, `rows_per_day` each, in a table emptied first."""
    model = EVENT_MODELS[feed]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {}").format(sql.Identifier(model._meta.db_table)))
    partitions.maintain(FIRST_DAY + days * DAY, FIRST_DAY)
    for day in range(days):
        start = FIRST_DAY + day * DAY
        copy_events(
            feed, BulkGenerator(feed, day).copy_chunks(owner.pk, rows_per_day, start, start + DAY)
        )
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table)))


def retention_drop(rows: int) -> None:
    """Expiring the oldest day of 14: the same time whatever a day holds."""
    owner = setup.tenant("retention", 7)
    for per_day in (rows // 100, rows // 10):
        _fill(owner, "clicks", 14, per_day)
        began = time.perf_counter()
        dropped = partitions.drop_expired(FIRST_DAY + DAY)  # exactly the first day
        seconds = time.perf_counter() - began
        assert dropped["clicks"] == 1, dropped
        record(f"retention_drop_day_{per_day * 14}", per_day, seconds, table_rows=per_day * 14)


def hour_read(rows: int) -> None:
    """One hour of the standard feed read from a table holding 1 day, then 14 days."""
    owner = setup.tenant("hours", 8)
    per_day = rows // 2  # ~20 000 rows an hour: enough to time the read, not the planning
    hour = FIRST_DAY + 12 * timedelta(hours=1)  # on the first day, which both tables hold
    table = EVENT_MODELS["standard_feed"]._meta.db_table
    query = sql.SQL(
        "SELECT * FROM {} WHERE tenant_id = %s AND event_time >= %s AND event_time < %s"
        " AND received_at < %s"
    ).format(sql.Identifier(table))
    for days in (1, 14):
        _fill(owner, "standard_feed", days, per_day)
        best = float("inf")
        for _ in range(7):  # the best of seven: the partition is in the cache after the first
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(query, [owner.pk, hour, hour + timedelta(hours=1), hour + 30 * DAY])
                found = len(cursor.fetchall())
            best = min(best, time.perf_counter() - began)
        record(f"hour_read_table_of_{days}_days", found, best, table_rows=per_day * days)
