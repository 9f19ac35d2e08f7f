"""The beat's schedule: it only schedules, each run is its own task."""

from __future__ import annotations

from celery.schedules import crontab

from .core import VAR_DIR, env

# Raw windows close on knowledge, not a timer (docs/exports.md, "Closing a raw window"): a
# window is exported once no ingestion that could still add rows to it is in flight.
# RAW_WINDOW_SECONDS is the raw windows' length: 900 (15 minutes, seed 000). Only the benchmark
# shortens it (freshness_raw_windows: 20 windows in minutes, not hours); file names keep the
# minute, so windows shorter than a minute share names.
RAW_WINDOW_SECONDS = env.int("RAW_WINDOW_SECONDS", default=900)
# The safety bound: an ingestion still in flight after this long is taken for crashed and no
# longer holds windows open; if it was alive after all, its rows are stamped again when it
# commits and go out with the next window (feeds/ingestion/marks.py).
INGEST_MARK_SECONDS = env.float("INGEST_MARK_SECONDS", default=30.0)
# A window is never closed earlier than this after its end: the hosts' clocks may differ by this
# much (ingestion stamps rows on the web host's clock, the schedule decides on the worker's).
RAW_CLOSE_SETTLE_SECONDS = env.float("RAW_CLOSE_SETTLE_SECONDS", default=1.0)
# How often the beat asks whether a raw window can close (feeds.close_windows). A tick with
# nothing to close costs one query.
RAW_CLOSE_TICK_SECONDS = env.float("RAW_CLOSE_TICK_SECONDS", default=2.0)

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Raw windows are closed by a tick every RAW_CLOSE_TICK_SECONDS (its messages expire rather than
# pile up behind a slow task), log-level hours ten minutes after every hour, a catch-up/retry
# sweep every 5 minutes, the archive, the Iceberg tables' snapshot expiry and the expiry of
# events past their retention daily, the
# event tables' day partitions hourly; the email outbox's retries every minute.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "raw-windows": {
        "task": "feeds.close_windows",
        "schedule": RAW_CLOSE_TICK_SECONDS,
        "options": {"expires": RAW_CLOSE_TICK_SECONDS},
    },
    "log-level-feeds": {
        "task": "feeds.schedule",
        "schedule": crontab(minute="10"),
        "args": ("log_level",),
    },
    "catch-up-and-retries": {"task": "feeds.schedule", "schedule": 300.0, "args": ("all",)},
    "archive-manifests": {"task": "feeds.archive", "schedule": crontab(hour="3", minute="30")},
    "iceberg-maintenance": {
        "task": "feeds.iceberg_maintenance",
        "schedule": crontab(hour="3", minute="45"),
    },
    "expire-events": {"task": "feeds.expire_events", "schedule": crontab(hour="4", minute="15")},
    "event-partitions": {"task": "feeds.maintain_partitions", "schedule": crontab(minute="20")},
    # Notification emails whose first try failed (mail server down) are retried from here.
    "send-outbox": {"task": "outbox.send_due", "schedule": 60.0},
    "send-webhooks": {"task": "webhooks.send_due", "schedule": 60.0},
    "credential-expiry-reminders": {
        "task": "integrations.expiry_reminders",
        "schedule": crontab(hour="8", minute="0"),
    },
}
