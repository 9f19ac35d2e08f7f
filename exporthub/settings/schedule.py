"""The beat's schedule: it only schedules, each run is its own task."""

from __future__ import annotations

from celery.schedules import crontab

from .core import VAR_DIR

CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# A tick a minute after every 15-minute window, ten minutes after every hour, a catch-up/retry
# sweep every 5 minutes, the archive, the Iceberg tables' snapshot expiry and the expiry of
# events past their retention daily, the
# event tables' day partitions hourly; the email outbox's retries every minute.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "raw-feeds": {
        "task": "feeds.schedule",
        "schedule": crontab(minute="1,16,31,46"),
        "args": ("raw",),
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
