"""The other end of the event store: events received more than EVENT_RETENTION_DAYS ago are
deleted, daily, so storage stays bounded (issue 19).

On PostgreSQL whole day partitions are dropped; what no day partition holds (the default one)
and SQLite's tables are deleted in batches, tenant by tenant: each batch is a short transaction
that finds its rows through the (tenant, received_at) index every event table has, so ingestion
and exports never wait behind one long delete, and no statement spans tenants (docs/feeds.md,
"Retention").
Nothing is lost that an export still needs: the schedule catches up 3 days at most, late events
reprocess hours of those 3 days, and an Admin's backfill is bounded by the same setting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from psycopg import sql

from exporthub.tenancy.models import Tenant

from ..models import EVENT_MODELS
from . import partitions

BATCH_ROWS = 10_000


def retention() -> timedelta:
    return timedelta(days=settings.EVENT_RETENTION_DAYS)


def delete_expired(now: datetime, batch_rows: int = BATCH_ROWS) -> dict[str, int]:
    """Delete every feed's events past the retention; the rows deleted one by one, per feed.

    On PostgreSQL whole day partitions that ended by the cutoff are dropped first (however many
    rows they hold), and only the default partition is searched row by row; on SQLite the table.
    """
    cutoff = now - retention()
    partitions.drop_expired(cutoff)
    deleted = dict.fromkeys(EVENT_MODELS, 0)
    tenants = list(Tenant.objects.values_list("pk", flat=True))
    for feed in EVENT_MODELS:
        for tenant_id in tenants:
            while True:
                with transaction.atomic():
                    removed = _delete_batch(feed, tenant_id, cutoff, batch_rows)
                deleted[feed] += removed
                if removed < batch_rows:
                    break
    return deleted


def _delete_batch(feed: str, tenant_id: int, cutoff: datetime, batch_rows: int) -> int:
    if partitions.enabled():
        statement = sql.SQL(
            "DELETE FROM {table} WHERE id IN (SELECT id FROM {table} WHERE tenant_id = %s"
            " AND received_at < %s LIMIT %s)"
        ).format(table=sql.Identifier(partitions.default_table(feed)))
        with connection.cursor() as cursor:
            cursor.execute(statement, [tenant_id, cutoff, batch_rows])
            return int(cursor.rowcount)
    manager = EVENT_MODELS[feed]._default_manager
    expired = manager.filter(tenant_id=tenant_id, received_at__lt=cutoff)
    ids = list(expired.values_list("pk", flat=True)[:batch_rows])
    if ids:
        manager.filter(pk__in=ids).delete()
    return len(ids)
