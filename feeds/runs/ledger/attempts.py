"""A run's attempts in the ledger: claiming, leases, recording an attempt and a sliced hour's
part numbers, finishing. A conditional update decides which worker owns a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from exporthub.bulkheads import slots
from exporthub.retry import jittered_backoff

from ...models import ExportRun, ExportSlice
from .. import clock, closing
from . import contention

MAX_BACKOFF = timedelta(hours=1)
Status = ExportRun.Status


def in_slices() -> Exists:
    """The run's current attempt has slices not yet done (feeds.runs.hourly.slices): it is
    alive while they are, whatever the run's own lease says; the tick hands out those no worker
    is on."""
    return Exists(
        ExportSlice.objects.filter(
            run=OuterRef("pk"),
            attempt=OuterRef("attempts"),
            status__in=(Status.PENDING, Status.RUNNING),
        )
    )


def claimable(now: datetime) -> Q:
    """Pending or failed runs whose retry time came, and running runs whose worker vanished."""
    ready = Q(status__in=(Status.PENDING, Status.FAILED)) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    return ready | Q(~in_slices(), status=Status.RUNNING, lease_expires_at__lt=now)


def claim(run_id: int, now: datetime | None = None) -> ExportRun | None:
    """Own a run for one lease, or None if another worker has it or it is done."""
    at = now or clock.now()

    def take() -> ExportRun | None:
        won = ExportRun.objects.filter(claimable(at), pk=run_id).update(
            status=Status.RUNNING,
            lease_expires_at=at + lease(),
            attempts=F("attempts") + 1,
            enqueued_at=None,  # taken off the queue: a retry may be sent as soon as it is due
        )
        return (
            ExportRun.objects.select_related("integration__tenant").get(pk=run_id) if won else None
        )

    return contention.claimed(take)


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
    renew_places()


def place_tag(run_id: int) -> str:
    """What the tenant's places held for the run's attempt (its own, its slices') start with
    (feeds.runs.places), to tell them apart when reading the table."""
    return f"run{run_id}"


# The token of the place this worker holds (feeds.runs.places.held), if any.
_place: ContextVar[str | None] = ContextVar("export_place", default=None)


@contextmanager
def in_place(token: str) -> Iterator[None]:
    """The leases this worker renews in the block renew `token`'s place with them."""
    was = _place.set(token)
    try:
        yield
    finally:
        _place.reset(was)


def renew_places() -> None:
    """This worker's own place lives one more lease, as its run does: a worker killed with one
    frees it when the lease it renewed last ends, whichever siblings go on on the same run."""
    if (token := _place.get()) is not None:
        slots.renew(token, lease())


def live_attempts(integration_id: int) -> set[tuple[datetime, datetime]]:
    """(hour, processing time) of the integration's attempts whose worker holds its lease: their
    -processing manifests are live, not left behind by a run that died."""
    running = ExportRun.objects.filter(
        Q(lease_expires_at__gte=clock.now()) | in_slices(),
        integration_id=integration_id,
        status=Status.RUNNING,
    ).values_list("window_start", "processed_on")
    return {(hour, processed_on) for hour, processed_on in running if processed_on is not None}


def lease() -> timedelta:
    return timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter: 30 s, 1 min, 2 min … up to an hour."""
    first = timedelta(seconds=settings.EXPORT_RETRY_BASE_SECONDS)
    return jittered_backoff(attempts, first, MAX_BACKOFF)


@dataclass(frozen=True)
class Outcome:
    """What a succeeded attempt exported, as the ledger records it."""

    rows: int
    bytes: int
    files: list[dict[str, Any]]  # [{name, bytes, md5}]
    path: str
    manifest: str
    processed_on: datetime
    data_cutoff: datetime


def succeed(run: ExportRun, outcome: Outcome, *, duration_seconds: float) -> bool:
    """Record the outcome; False when this worker no longer owns the run (nothing written)."""
    return bool(
        owned(run).update(
            status=Status.SUCCEEDED,
            finished_at=clock.now(),
            lease_expires_at=None,
            error_code="",
            error_message="",
            failing_since=None,
            duration_seconds=duration_seconds,
            **asdict(outcome),
        )
    )


def fail(run: ExportRun, code: str, message: str, *, retry: bool, **fields: object) -> None:
    """A failed attempt; `failing_since` keeps the first of a streak ("retrying since …")."""
    now = clock.now()
    owned(run).update(
        status=Status.FAILED,
        finished_at=now,
        lease_expires_at=None,
        error_code=code[:100],
        error_message=message[:2000],
        next_attempt_at=now + backoff(run.attempts) if retry else None,
        failing_since=Coalesce(F("failing_since"), Value(now)),
        **fields,
    )


# One attempt.


def release(run: ExportRun) -> None:
    """Back to waiting, unclaimed: its integration was deactivated meanwhile (it resumes after a
    new Verify)."""
    owned(run).update(status=Status.PENDING, lease_expires_at=None)


def record_destination(run: ExportRun, location: str) -> None:
    """Where this attempt writes, recorded first: after a bucket change the history still says
    where every hour went."""
    owned(run).update(destination=location)


def record_filters(run: ExportRun, filters: list[dict[str, Any]]) -> None:
    """The integration's row filter, fixed on the run by its first attempt: every later attempt
    and slice reads with the same, so a window never mixes two filters."""
    owned(run).filter(filters__isnull=True).update(filters=filters)
    run.filters = ExportRun.objects.filter(pk=run.pk).values_list("filters", flat=True).get()


def record_attempt(run: ExportRun, processed_on: datetime, data_cutoff: datetime) -> None:
    """A log-level attempt's processing time and data cutoff, recorded before anything is
    written, so a later attempt can find what this one wrote; LeaseLost when taken over."""
    if not owned(run).update(processed_on=processed_on, data_cutoff=data_cutoff):
        raise LeaseLost(f"run {run.pk} was taken over by another worker")
    run.processed_on, run.data_cutoff = processed_on, data_cutoff


def begin_attempt(run: ExportRun) -> tuple[datetime, datetime]:
    """A log-level attempt's processing time and data cutoff, recorded before anything is
    written. The file holds exactly the events received before the cutoff; later ones are late
    events and make a new generation (schedule.reprocess_late_events), never silently part of
    this attempt. The cutoff stops before the tenant's ingestion of the feed still in flight
    (closing.in_flight): its rows commit after this attempt reads, so they must count as late."""
    now = clock.now()
    writing = closing.in_flight(now).get((run.integration.tenant_id, run.integration.feed))
    processed_on, data_cutoff = processing_time(run), min(now, writing or now)
    record_attempt(run, processed_on, data_cutoff)
    return processed_on, data_cutoff


def processing_time(run: ExportRun) -> datetime:
    """Now, to the second, but always after earlier runs of the hour: paths never collide."""
    now = clock.now().replace(microsecond=0)
    earlier = (
        ExportRun.objects.filter(integration=run.integration, window_start=run.window_start)
        .exclude(processed_on=None)
        .order_by("-processed_on")
        .values_list("processed_on", flat=True)
        .first()
    )
    return max(now, earlier + timedelta(seconds=1)) if earlier else now


def report_run_rows(run_id: int, rows: int) -> None:
    """Progress of a running run, for its page (the final count is written by `succeed`)."""
    ExportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(rows=rows)


def hold(integration_id: int) -> None:
    """No retry time: the deactivated integration's failed runs wait until a new Verify
    reactivates it, and are retried at once then."""
    ExportRun.objects.filter(integration_id=integration_id, status=Status.FAILED).exclude(
        next_attempt_at=None
    ).update(next_attempt_at=None)


def resume(integration_id: int) -> None:
    """The reactivated integration's failed runs are retried at once, those that failed after
    its deactivation (in flight then, with a backoff of up to an hour) too."""
    hold(integration_id)


# A large hour's slices (feeds.runs.hourly.slices) write their run through these.


def in_attempt(run_id: int, attempt: int) -> QuerySet[ExportRun]:
    """The run, while `attempt` is its current one and running."""
    return ExportRun.objects.filter(pk=run_id, status=Status.RUNNING, attempts=attempt)


def reset_parts(run: ExportRun) -> None:
    """The attempt's part counter back to 0 before it is sliced; LeaseLost when taken over."""
    if not owned(run).update(parts_allotted=0):
        raise LeaseLost(f"run {run.pk} was taken over by another worker")


def allot_part(run_id: int, attempt: int) -> int:
    """A part number no other part of the attempt has (the caller's transaction holds the run's
    row until it ends); LeaseLost when the attempt is over."""
    if not in_attempt(run_id, attempt).update(parts_allotted=F("parts_allotted") + 1):
        raise LeaseLost(f"run {run_id}'s attempt {attempt} is over")
    renew_places()  # a slice's worker renews its lease with each part
    return int(ExportRun.objects.values_list("parts_allotted", flat=True).get(pk=run_id)) - 1


def report_hour_rows(run_id: int, attempt: int, rows: int) -> None:
    """Progress of a sliced hour, the sum over its slices, for its page."""
    in_attempt(run_id, attempt).update(rows=rows)


def lock_attempt(run_id: int, attempt: int) -> None:
    """The run's row locked until the caller's transaction ends; LeaseLost when the attempt is
    over."""
    if not list(in_attempt(run_id, attempt).select_for_update().values_list("pk", flat=True)):
        raise LeaseLost(f"run {run_id}'s attempt {attempt} is over")


def renew_attempt(run_id: int, attempt: int) -> None:
    """A fresh run lease for the worker that publishes a sliced hour."""
    in_attempt(run_id, attempt).update(lease_expires_at=clock.now() + lease())
    renew_places()
