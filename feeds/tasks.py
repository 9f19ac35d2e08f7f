"""Celery tasks: the beat tick only schedules; each run is its own task, by id, handed out in
dispatch batches."""

from __future__ import annotations

from collections.abc import Callable

from celery import shared_task
from django.utils import timezone

from integrations.catalog import FeedKind

from .ingestion import partitions
from .ingestion.retention import delete_expired, retention
from .models import ExportRun
from .runs import places
from .runs.archive import archive_manifests
from .runs.export import execute, execute_slice
from .runs.hourly import slices
from .runs.schedule import close_tick, record_tick, schedule

KINDS = {"raw": (FeedKind.RAW,), "log_level": (FeedKind.LOG_LEVEL,), "all": tuple(FeedKind)}


# Publishing a Celery message costs ~0.9 ms on Redis (~0.35 ms on the filesystem broker), so a
# tick handing out 10 000 runs one message each would spend ~9 s publishing. It publishes one
# message per DISPATCH_RUNS runs instead and the workers fan those out, in parallel.
DISPATCH_RUNS = 200


@shared_task(name="feeds.schedule")
def schedule_exports(kind: str = "all") -> int:
    """Find due windows and enqueue them; duplicate ticks are harmless (claims are atomic)."""
    now = timezone.now()
    ready = schedule(now, KINDS[kind])
    record_tick(now)
    for first in range(0, len(ready), DISPATCH_RUNS):
        dispatch_runs.delay(ready[first : first + DISPATCH_RUNS])
    # Slices of large hours no worker is on: their message was lost or their worker died.
    orphans = slices.ready(now)
    _hand_out_slices(orphans)
    return len(ready) + len(orphans)


@shared_task(name="feeds.close_windows")
def close_windows() -> int:
    """Every RAW_CLOSE_TICK_SECONDS: export the raw windows that closed (feeds.runs.closing);
    one query when the newest one is closed everywhere already."""
    now = timezone.now()
    ready = close_tick(now)
    if ready:
        record_tick(now)
    if len(ready) <= DISPATCH_RUNS:
        # Up to one dispatch's worth is published here (≤ 0.2 s): a broker hop less between
        # the close and the export.
        for run_id in ready:
            export_run.delay(run_id)
        return len(ready)
    for first in range(0, len(ready), DISPATCH_RUNS):
        dispatch_runs.delay(ready[first : first + DISPATCH_RUNS])
    return len(ready)


@shared_task(name="feeds.dispatch")
def dispatch_runs(run_ids: list[int]) -> int:
    """One message per run, so every worker takes its share. A dispatch lost with its worker
    loses nothing: its runs are handed out again once their enqueue lease ends (schedule)."""
    for run_id in run_ids:
        export_run.delay(run_id)
    return len(run_ids)


@shared_task(name="feeds.export")
def export_run(run_id: int) -> str:
    """Within one of its tenant's places (feeds.runs.places); when all are held the run waits
    off the queue and this worker goes on to other work."""
    tenant_id = places.run_tenant(run_id)
    if tenant_id is None:
        return "not claimed"  # done, not due yet, or on another worker
    return _in_a_place(
        tenant_id, run_id, places.step_aside_run(run_id),
        lambda send_next: execute(run_id, hand_out=_hand_out_slices, send_next=send_next),
    )  # fmt: skip


@shared_task(name="feeds.export_slice")
def export_slice(slice_id: int) -> str:
    """A slice of a large log-level hour (feeds.runs.hourly.slices), by any worker that takes
    it within one of its tenant's places; without one it is left to the hour's own worker."""
    found = places.slice_tenant(slice_id)
    if found is None:
        return "not claimed"
    tenant_id, run_id = found
    return _in_a_place(
        tenant_id, run_id, places.step_aside_slice(slice_id),
        lambda send_next: execute_slice(slice_id, send_next=send_next),
    )  # fmt: skip


def _in_a_place(
    tenant_id: int,
    run_id: int,
    step_aside: Callable[[], None],
    export: Callable[[Callable[[int], object]], ExportRun | None],
) -> str:
    following: list[int] = []
    with places.held(tenant_id, run_id, step_aside) as free:
        if not free:
            return "waiting"
        run = export(following.append)
    # Sent once the place is given back, so that they find it free: a backfill's next run,
    # then the tenant's oldest run that stepped aside.
    for next_id in following:
        export_run.delay(next_id)
    if (waiting := places.next_waiting(tenant_id)) is not None:
        (export_slice if waiting.is_slice else export_run).delay(waiting.id)
    return "not claimed" if run is None else run.status


def _hand_out_slices(slice_ids: list[int]) -> None:
    for slice_id in slice_ids:
        export_slice.delay(slice_id)


@shared_task(name="feeds.expire_events")
def expire_events() -> int:
    """Daily: events past EVENT_RETENTION_DAYS are deleted (feeds.ingestion.retention)."""
    return sum(delete_expired(timezone.now()).values())


@shared_task(name="feeds.maintain_partitions")
def maintain_partitions() -> int:
    """Hourly: day partitions created days ahead, so ingestion never meets a missing one."""
    now = timezone.now()
    return partitions.maintain(now, now - retention())


@shared_task(name="feeds.iceberg_maintenance")
def iceberg_maintenance() -> int:
    """Daily: Iceberg snapshots past ICEBERG_SNAPSHOT_RETENTION_DAYS expire, and files no
    snapshot references any more are removed (feeds.iceberg.maintenance)."""
    from .iceberg.maintenance import maintain_tables  # pyiceberg only where it is used

    return maintain_tables(timezone.now())


@shared_task(name="feeds.archive")
def archive() -> int:
    return archive_manifests(timezone.now())
