"""A tenant's places on the export workers: at most EXPORT_WORKERS_PER_TENANT of its runs and
slices are on workers at once (docs/operations.md, "A tenant's share of the exports").

A message finding every place of its tenant held does not wait in its worker: it takes its run
off the queue (`enqueued_at` cleared) and ends, and the holder that gives a place back hands out
the tenant's oldest run waiting so. A place lives as long as its run's lease, renewed with it
(ledger), so a worker killed with one frees it when that lease ends, when the run itself may be
taken over; the tick sends again every run left unsent by then."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db.models import Q

from exporthub import queues
from exporthub.bulkheads import slots
from integrations.models import State

from ..models import ExportRun, ExportSlice
from . import clock, ledger
from .ledger import slices as ledger_slices


@contextmanager
def held(tenant_id: int, run_id: int, step_aside: Callable[[], None]) -> Iterator[bool]:
    """Whether one of the tenant's places was free; held for the block, given back after it.
    When none is, `step_aside` takes the work off the queue, and a place is asked for once more:
    a holder giving its place back in between may have looked for waiting work too early."""
    cap, work = settings.EXPORT_WORKERS_PER_TENANT, queues.EXPORTS
    tag = ledger.place_tag(run_id)
    token = slots.take(tenant_id, work, cap, lease=ledger.lease(), tag=tag)
    if token is None:
        step_aside()
        token = slots.take(tenant_id, work, cap, lease=ledger.lease(), tag=tag)
    if token is None:
        yield False
        return
    try:
        with ledger.in_place(token):
            yield True
    finally:
        slots.give_back(token)


def run_tenant(run_id: int) -> int | None:
    """The run's tenant while it may be claimed (None when it is done, not due or running)."""
    return (
        ExportRun.objects.filter(ledger.claimable(clock.now()), pk=run_id)
        .values_list("integration__tenant_id", flat=True)
        .first()
    )


def slice_tenant(slice_id: int) -> tuple[int, int] | None:
    """(tenant, run) of a slice."""
    found = (
        ExportSlice.objects.filter(pk=slice_id)
        .values_list("run__integration__tenant_id", "run_id")
        .first()
    )
    return None if found is None else (found[0], found[1])


def step_aside_run(run_id: int) -> Callable[[], None]:
    """Off the queue: the next holder of the tenant's places hands it out (`next_waiting`)."""

    def off_the_queue() -> None:
        ledger.unqueue(run_id)

    return off_the_queue


def step_aside_slice(slice_id: int) -> Callable[[], None]:
    """Off the queue: its hour's own worker takes it, or the tick hands it out again."""

    def off_the_queue() -> None:
        ledger_slices.unqueue(slice_id)

    return off_the_queue


def next_waiting(tenant_id: int) -> int | None:
    """The tenant's oldest run due and in no queue, marked sent; None when there is none.
    Backfills keep their own order: the tick hands out their next run (feeds.runs.backfills)."""
    now = clock.now()
    waiting = ExportRun.objects.filter(
        ledger.claimable(now),
        Q(enqueued_at__isnull=True),
        integration__tenant_id=tenant_id,
        integration__state=State.ACTIVE,
        backfill=None,
    ).order_by("window_start", "pk")
    for run_id in waiting.values_list("pk", flat=True)[:5]:
        # One sender per run: the update that marks it sent picks the winner.
        if ledger.send_if_unsent(run_id, now):
            return int(run_id)
    return None
