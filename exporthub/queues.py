"""Work classes: the Celery queue each task goes to and how long it may run (docs/operations.md)."""

from __future__ import annotations

import math
from datetime import timedelta

# Queue names are fixed, not settings: the Procfile, docker-compose.yml and an operator's
# `celery worker -Q …` name them.
SCHEDULE = "schedule"  # the beat's ticks and maintenance: short, and never behind a tenant
EXPORTS = "exports"  # export runs, slices, backfill hand-offs and the manifest archive
VERIFY = "verify"  # Verify: waits on a destination a tenant chose
NOTIFICATIONS = "notifications"  # webhooks, Slack, email: waits on a receiver a tenant chose
QUEUES = (SCHEDULE, EXPORTS, VERIFY, NOTIFICATIONS)

# Every task by name; a pattern covers Celery's own (the beat's daily result clean-up). A task
# missing here would go to Celery's default queue, which no worker reads (tests/test_queues.py).
TASKS = {
    "feeds.schedule": SCHEDULE,
    "feeds.close_windows": SCHEDULE,
    "feeds.expire_events": SCHEDULE,
    "feeds.maintain_partitions": SCHEDULE,
    "integrations.expiry_reminders": SCHEDULE,
    "exporthub.ping": SCHEDULE,
    "celery.*": SCHEDULE,
    "feeds.dispatch": EXPORTS,
    "feeds.export": EXPORTS,
    "feeds.export_slice": EXPORTS,
    # It lists and renames in every tenant's bucket: a slow one must not hold the tick.
    "feeds.archive": EXPORTS,
    "feeds.iceberg_maintenance": EXPORTS,  # lists and deletes in every Iceberg table's bucket
    "integrations.verify": VERIFY,
    "webhooks.deliver": NOTIFICATIONS,
    "webhooks.send_due": NOTIFICATIONS,
    "outbox.send": NOTIFICATIONS,
    "outbox.send_due": NOTIFICATIONS,
}


def time_limits(verify_deadline: float, webhook_timeout: float) -> dict[str, tuple[int, int]]:
    """(soft, hard) wall-clock seconds per class: the soft limit raises in the task, the hard
    one kills its worker process (prefork), whatever the task is waiting on."""
    verify = math.ceil(verify_deadline) + 60  # the steps' own deadline ends it first
    notify = max(60, math.ceil(webhook_timeout) + 30)  # one request with its total deadline
    return {
        SCHEDULE: (240, 300),
        EXPORTS: (3300, 3600),  # an hour's export; its lease is renewed part by part
        VERIFY: (verify - 30, verify),
        NOTIFICATIONS: (notify - 15, notify),
    }


def task_routes() -> dict[str, dict[str, str]]:
    """CELERY_TASK_ROUTES."""
    return {name: {"queue": queue} for name, queue in TASKS.items()}


def task_annotations(limits: dict[str, tuple[int, int]]) -> dict[str, dict[str, int]]:
    """CELERY_TASK_ANNOTATIONS: each task's limits, from its class (Celery's own tasks, matched
    by pattern, take the default limits: the schedule's)."""
    return {
        name: {"soft_time_limit": limits[queue][0], "time_limit": limits[queue][1]}
        for name, queue in TASKS.items()
        if "*" not in name
    }


def hard_limit(queue: str) -> timedelta:
    """The longest a task of this class runs with the current settings: killed by then."""
    from django.conf import settings

    limits = time_limits(settings.VERIFY_DEADLINE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS)
    return timedelta(seconds=limits[queue][1])
