"""Export windows in UTC: RAW_WINDOW_SECONDS of received time (raw feeds; 15 minutes), one
event hour (log-level)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from django.conf import settings

from integrations.catalog import FEEDS, FeedKind

HOUR = timedelta(hours=1)
# A log-level hour is exported this long after it ends: events of the hour keep arriving (the
# late ones make new generations). Raw windows have no grace: they close once no ingestion that
# could add rows to them is in flight (feeds.runs.closing).
LOG_LEVEL_GRACE = timedelta(minutes=10)
BACKFILL_LIMIT = timedelta(days=3)


def raw_window() -> timedelta:
    return timedelta(seconds=settings.RAW_WINDOW_SECONDS)


def window_length(feed: str) -> timedelta:
    return raw_window() if FEEDS[feed].kind == FeedKind.RAW else HOUR


def settle() -> timedelta:
    """How long after its end a raw window closes at the earliest (hosts' clocks may differ)."""
    return timedelta(seconds=settings.RAW_CLOSE_SETTLE_SECONDS)


def raw_close_delay() -> timedelta:
    """When a raw window's first export starts, after its end, with nothing in flight: the
    settling time and at most one close tick."""
    return settle() + timedelta(seconds=settings.RAW_CLOSE_TICK_SECONDS)


def floor(instant: datetime, length: timedelta) -> datetime:
    instant = instant.astimezone(UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((instant - epoch) // length) * length


def ceil(instant: datetime, length: timedelta) -> datetime:
    start = floor(instant, length)
    return start if start == instant.astimezone(UTC) else start + length


def closed_until(feed: str, now: datetime, in_flight: datetime | None = None) -> datetime:
    """Every window of the feed ending at or before this instant has closed: a raw window once it
    settled and no ingestion in flight (`in_flight`: the earliest received time one may still
    write) could add to it; a log-level hour once its grace passed."""
    if FEEDS[feed].kind == FeedKind.LOG_LEVEL:
        return now - LOG_LEVEL_GRACE
    until = now - settle()
    return until if in_flight is None else min(until, in_flight)


def due_windows(
    feed: str, exports_from: datetime, now: datetime, in_flight: datetime | None = None
) -> Iterator[datetime]:
    """Starts of the windows that have closed since exports began."""
    length = window_length(feed)
    start = ceil(exports_from, length)
    last_start = floor(closed_until(feed, now, in_flight), length) - length
    while start <= last_start:
        yield start
        start += length


def next_due(feed: str, now: datetime) -> datetime:
    """When the schedule next exports a window of this feed (with nothing in flight)."""
    length = window_length(feed)
    if FEEDS[feed].kind == FeedKind.RAW:
        return floor(now - raw_close_delay(), length) + length + raw_close_delay()
    return floor(now, length) + length + LOG_LEVEL_GRACE
