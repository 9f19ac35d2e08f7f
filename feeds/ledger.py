"""Claiming and finishing runs; a conditional update decides which worker owns a run."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet

from exporthub.retry import jittered_backoff

from . import clock
from .models import ExportRun

MAX_BACKOFF = timedelta(hours=1)
Status = ExportRun.Status


def claimable(now: datetime) -> Q:
    """Pending or failed runs whose retry time came, and running runs whose worker vanished."""
    ready = Q(status__in=(Status.PENDING, Status.FAILED)) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return ready | Q(status=Status.RUNNING, lease_expires_at__lt=now)


def claim(run_id: int, now: datetime | None = None) -> ExportRun | None:
    """Own a run for one lease, or None if another worker has it or it is done."""
    now = now or clock.now()
    won = ExportRun.objects.filter(claimable(now), pk=run_id).update(
        status=Status.RUNNING,
        lease_expires_at=now + lease(),
        attempts=F("attempts") + 1,
        enqueued_at=None,  # taken off the queue: a retry may be sent as soon as it is due
    )
    if not won:
        return None
    return ExportRun.objects.select_related("integration__tenant").get(pk=run_id)


class LeaseLost(Exception):
    """This worker's lease ran out and another worker claimed the run: stop, touch nothing."""


def owned(run: ExportRun) -> QuerySet[ExportRun]:
    """The run, if this worker still owns it: every claim counts an attempt, so a worker whose
    lease expired and was taken over no longer matches (a fencing token)."""
    return ExportRun.objects.filter(pk=run.pk, status=Status.RUNNING, attempts=run.attempts)


def extend_lease(run: ExportRun) -> None:
    """Renew the lease; LeaseLost when it ran out or another worker owns the run by now.

    A lease that ran out is lost even if nobody claimed the run yet: from then on another run
    of the integration may take this attempt's -processing manifest for dead and mark it
    -failed (live_attempts), so this attempt must not publish the hour."""
    now = clock.now()
    if not owned(run).filter(lease_expires_at__gte=now).update(lease_expires_at=now + lease()):
        raise LeaseLost(f"run {run.pk} lost its lease")


def live_attempts(integration_id: int) -> set[tuple[datetime, datetime]]:
    """(hour, processing time) of the integration's attempts whose worker holds its lease: their
    -processing manifests are live, not left behind by a run that died."""
    running = ExportRun.objects.filter(
        integration_id=integration_id, status=Status.RUNNING, lease_expires_at__gte=clock.now()
    ).values_list("window_start", "processed_on")
    return {(hour, processed_on) for hour, processed_on in running if processed_on is not None}


def lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter: 30 s, 1 min, 2 min … up to an hour."""
    first = timedelta(seconds=settings.EXPORT_RETRY_BASE_SECONDS)
    return jittered_backoff(attempts, first, MAX_BACKOFF)


def succeed(run: ExportRun, **fields: object) -> None:
    owned(run).update(
        status=Status.SUCCEEDED,
        finished_at=clock.now(),
        lease_expires_at=None,
        error_code="",
        error_message="",
        **fields,
    )


def fail(run: ExportRun, code: str, message: str, *, retry: bool, **fields: object) -> None:
    now = clock.now()
    owned(run).update(
        status=Status.FAILED,
        finished_at=now,
        lease_expires_at=None,
        error_code=code[:100],
        error_message=message[:2000],
        next_attempt_at=now + backoff(run.attempts) if retry else None,
        **fields,
    )
