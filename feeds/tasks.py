"""Celery tasks: the beat tick only schedules; each run is its own task, by id."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .archive import archive_manifests
from .catalog import FeedKind
from .export import execute
from .schedule import schedule

KINDS = {"raw": (FeedKind.RAW,), "log_level": (FeedKind.LOG_LEVEL,), "all": tuple(FeedKind)}


@shared_task(name="feeds.schedule")
def schedule_exports(kind: str = "all") -> int:
    """Find due windows and enqueue them; duplicate ticks are harmless (claims are atomic)."""
    ready = schedule(timezone.now(), KINDS[kind])
    for run_id in ready:
        export_run.delay(run_id)
    return len(ready)


@shared_task(name="feeds.export")
def export_run(run_id: int) -> str:
    run = execute(run_id)
    return run.status if run else "not claimed"


@shared_task(name="feeds.archive")
def archive() -> int:
    return archive_manifests(timezone.now())
