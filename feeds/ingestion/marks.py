"""Marks of ingestion in flight: what lets the schedule close a raw window on knowledge.

A writer first commits a mark (tenant, feed, `started_at`) on its own, and only then stamps its
rows' `received_at`, so no row is received earlier than the moment its writer became visible to
the close decision (feeds.runs.closing). The transaction that stores the rows also deletes the
mark: rows and mark change together, never one without the other.

A crashed writer's mark expires after INGEST_MARK_SECONDS and the schedule deletes it. A writer
that was only slow finds its mark gone when it commits: the window it stamped its rows into may
have closed, so it rolls back and stores them again under a fresh mark and a fresh
`received_at`, in the window open by then: late rows go out with the next window, the way a
late event always does, never lost and never in two files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min

from ..models import IngestMark
from ..runs import clock

# Stored again at most this often before the request is refused (IngestionTooSlow): a store
# slower than the safety bound twice in a row is an overloaded database, not a late row.
ATTEMPTS = 2


class IngestionTooSlow(Exception):
    """Every attempt outlived its mark: nothing was stored; the client may send it again."""


@dataclass(frozen=True)
class Flight:
    """A writer's mark, committed, and the received time its rows carry."""

    mark_id: int
    received_at: datetime


def bound() -> timedelta:
    return timedelta(seconds=settings.INGEST_MARK_SECONDS)


def begin(tenant_id: int, feed: str) -> Flight:
    """Commit a mark, then take the rows' received time (never before the mark is visible).
    Called outside a transaction (requests are not atomic here), so the mark commits at once."""
    started = clock.now()
    mark = IngestMark.objects.create(
        tenant_id=tenant_id, feed=feed, started_at=started, expires_at=started + bound()
    )
    return Flight(mark.pk, clock.now())


def store_marked(
    tenant_id: int, feed: str, store: Callable[[datetime], int], flight: Flight | None = None
) -> int:
    """`store(received_at)` in one transaction with the removal of its mark; again with a fresh
    mark when the first had expired. Returns what `store` returned."""
    for _ in range(ATTEMPTS):
        flight = flight or begin(tenant_id, feed)
        try:
            with transaction.atomic():
                stored = store(flight.received_at)
                if IngestMark.objects.filter(pk=flight.mark_id).delete()[0]:
                    return stored
                # The mark expired and the schedule removed it: these rows may belong to a
                # window already exported. Undo them; the next attempt stamps them anew.
                transaction.set_rollback(True)
        except BaseException:
            IngestMark.objects.filter(pk=flight.mark_id).delete()
            raise
        flight = None
    raise IngestionTooSlow(f"storing took longer than {settings.INGEST_MARK_SECONDS:g} s twice")


def reap(now: datetime) -> int:
    """Delete the marks that expired: crashed writers' (or a slow one's, which then stores
    again). On PostgreSQL a mark whose writer is committing right now is locked by its delete
    and skipped: it still holds its windows, and is gone with the commit."""
    expired = IngestMark.objects.filter(expires_at__lt=now)
    if not expired.exists():  # the usual case, and no write (SQLite's one writer is precious)
        return 0
    if connection.vendor != "postgresql":
        # SQLite has one writer: a writer's delete and this one never interleave.
        return expired.delete()[0]
    with transaction.atomic():
        ids = list(expired.select_for_update(skip_locked=True).values_list("pk", flat=True))
        return IngestMark.objects.filter(pk__in=ids).delete()[0]


def earliest_in_flight(now: datetime) -> dict[tuple[int, str], datetime]:
    """Per (tenant, feed) with ingestion in flight, the earliest received time it may still
    write; expired marks are reaped first."""
    reap(now)
    found: dict[tuple[int, str], datetime] = {}
    for tenant_id, feed, started in IngestMark.objects.values_list(
        "tenant_id", "feed", "started_at"
    ):
        key = (tenant_id, feed)
        found[key] = min(started, found.get(key, started))
    return found


def earliest_live(tenant_id: int, feed: str, now: datetime) -> datetime | None:
    """One tenant's feed, without reaping: the earliest start of its unexpired marks."""
    live = IngestMark.objects.filter(tenant_id=tenant_id, feed=feed, expires_at__gte=now)
    return live.aggregate(Min("started_at"))["started_at__min"]
