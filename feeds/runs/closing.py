"""Closing raw windows on knowledge, not a timer.

A raw window of a tenant's feed closes once it has ended (plus RAW_CLOSE_SETTLE_SECONDS) and no
ingestion of that tenant and feed that could still add rows to it is in flight: every writer
commits a mark before it stamps its rows (feeds.ingestion.marks), so a mark started before the
window's end is the only way a row of that window can still be on its way. The schedule reads
the marks once per tick (`in_flight`) and exports every window ending before them.

The beat asks every RAW_CLOSE_TICK_SECONDS (schedule.close_tick); once the newest window has
closed for every tenant it notes so, and the ticks until the next window ends cost one query
each.
"""

from __future__ import annotations

from datetime import datetime

from ..ingestion import marks
from ..models import SchedulerTick
from .windows import floor, raw_window, settle

CLOSED = "raw-windows-closed"  # SchedulerTick: the end of the newest window closed everywhere


def in_flight(now: datetime) -> dict[tuple[int, str], datetime]:
    """Per (tenant id, feed) with ingestion in flight, the earliest received time it may still
    write; `now` must be taken before this is called (a writer seen later stamps after it)."""
    return marks.earliest_in_flight(now)


def live_flight(tenant_id: int, feed: str, now: datetime) -> datetime | None:
    """One tenant's feed: the earliest received time its unexpired writers may still write
    (read only: the tick deletes the expired marks)."""
    return marks.earliest_live(tenant_id, feed, now)


def newest_end(now: datetime) -> datetime:
    """The end of the newest raw window that may close at `now`."""
    return floor(now - settle(), raw_window())


def needs_tick(now: datetime) -> bool:
    """False when the newest window is already closed for every tenant (one query)."""
    closed = SchedulerTick.objects.filter(name=CLOSED).values_list("ticked_at", flat=True).first()
    return closed is None or closed < newest_end(now)


def note_closed(now: datetime, flights: dict[tuple[int, str], datetime]) -> None:
    """The newest window closed for every tenant if no flight the tick read held it open."""
    end = newest_end(now)
    if all(started >= end for started in flights.values()):
        SchedulerTick.objects.update_or_create(name=CLOSED, defaults={"ticked_at": end})
