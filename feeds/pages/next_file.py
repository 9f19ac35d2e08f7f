"""When an active integration's next file arrives: its window and the beat tick that exports it.

Read from what the schedule itself uses (feeds.runs.windows' window lengths, the raw windows'
close delay and the log-level grace, the integration's `exports_from` set at activation, and the
log-level tick in CELERY_BEAT_SCHEDULE), so the page cannot promise a time the schedule does not
keep. A raw file is due seconds after its window ends; the page says so to the second."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.schedules import crontab
from django.conf import settings

from integrations.catalog import FEEDS, FeedKind
from integrations.models import Integration, State

from ..runs.windows import LOG_LEVEL_GRACE, ceil, floor, raw_close_delay, window_length

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class NextFile:
    """The window whose file comes next and when it is due (UTC)."""

    start: datetime
    end: datetime
    due: datetime
    first: bool
    kind: FeedKind

    @property
    def text(self) -> str:
        which = "First file" if self.first else "Next file"
        span = "hour" if self.kind == FeedKind.LOG_LEVEL else "window"
        due = f"{self.due:%H:%M:%S}" if self.kind == FeedKind.RAW else f"{self.due:%H:%M}"
        return (
            f"{which}: the {self.start:%H:%M}\u2013{self.end:%H:%M} UTC {span}, "
            f"expected about {due} UTC"
        )

    def as_json(self) -> dict[str, Any]:
        def iso(instant: datetime) -> str:
            return instant.strftime("%Y-%m-%dT%H:%M:%SZ")

        return {
            "window_start": iso(self.start),
            "window_end": iso(self.end),
            "due": iso(self.due),
            "text": self.text,
        }


def next_file(integration: Integration, now: datetime) -> NextFile | None:
    """The next window the schedule exports for this integration; None unless it is active."""
    if integration.state != State.ACTIVE or integration.exports_from is None:
        return None
    kind = FEEDS[integration.feed].kind
    length = window_length(integration.feed)
    # A raw window closes once it has settled and no ingestion is in flight (feeds.runs.closing),
    # and the close tick exports it within one tick: seconds after its end. A log-level hour
    # waits for its grace and the beat tick after it.
    delay = raw_close_delay() if kind == FeedKind.RAW else LOG_LEVEL_GRACE
    first = ceil(integration.exports_from, length)
    # The next window whose due time is still ahead is the one open at `now - delay`.
    start = max(first, floor(now - delay, length))
    end = start + length
    return NextFile(start, end, _tick_at_or_after(end + delay, kind), start == first, kind)


def _tick_at_or_after(due: datetime, kind: FeedKind) -> datetime:
    """The feed kind's first beat tick at or after `due`; `due` itself without such a tick."""
    tick = _beat_tick(kind)
    if tick is None:
        return due
    minutes, hours = tick
    minute = due.astimezone(UTC).replace(second=0, microsecond=0)
    if minute < due:
        minute += timedelta(minutes=1)
    for _ in range(DAY_MINUTES):
        if minute.minute in minutes and minute.hour in hours:
            return minute
        minute += timedelta(minutes=1)
    return due


def _beat_tick(kind: FeedKind) -> tuple[set[int], set[int]] | None:
    """The minutes and hours of the beat entry that schedules this feed kind, if a crontab."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        args = entry.get("args")
        timing = entry.get("schedule")
        if not isinstance(args, tuple | list) or entry.get("task") != "feeds.schedule":
            continue
        if kind in args and isinstance(timing, crontab):
            # celery-types leaves out the sets a crontab expands its fields into.
            expanded: Any = timing
            return set(expanded.minute), set(expanded.hour)
    return None
