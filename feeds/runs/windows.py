"""Export windows in UTC: 15 minutes of received time (raw feeds), one event hour (log-level)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from integrations.catalog import FEEDS, FeedKind

RAW_WINDOW = timedelta(minutes=15)
HOUR = timedelta(hours=1)
# A window is exported this long after it closes: ingestion transactions stamped inside the
# window have committed by then, so none is missed.
GRACE = {FeedKind.RAW: timedelta(minutes=1), FeedKind.LOG_LEVEL: timedelta(minutes=10)}
BACKFILL_LIMIT = timedelta(days=3)


def window_length(feed: str) -> timedelta:
    return RAW_WINDOW if FEEDS[feed].kind == FeedKind.RAW else HOUR


def floor(instant: datetime, length: timedelta) -> datetime:
    instant = instant.astimezone(UTC)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((instant - epoch) // length) * length


def ceil(instant: datetime, length: timedelta) -> datetime:
    start = floor(instant, length)
    return start if start == instant.astimezone(UTC) else start + length


def due_windows(feed: str, exports_from: datetime, now: datetime) -> Iterator[datetime]:
    """Starts of the windows that have closed (plus grace) since exports began."""
    length = window_length(feed)
    start = ceil(exports_from, length)
    last_start = floor(now - GRACE[FEEDS[feed].kind], length) - length
    while start <= last_start:
        yield start
        start += length


def next_due(feed: str, now: datetime) -> datetime:
    """When the schedule next exports a window of this feed."""
    length = window_length(feed)
    return floor(now, length) + length + GRACE[FEEDS[feed].kind]
