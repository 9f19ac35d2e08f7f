"""A tenant's places on the export workers: at most EXPORT_WORKERS_PER_TENANT of its runs and
slices are on workers at once (docs/operations.md, "A tenant's share of the exports").

A message finding every place of its tenant held does not wait in its worker: it takes its run
off the queue (`enqueued_at` cleared) and ends, and the holder that gives a place back hands out
the tenant's work waiting so (`next_waiting`). The tick sends a tenant no more runs than it has
places free (`within_free_places`). A place lives as long as its holder's lease, renewed by that
holder alone (ledger.in_place), so a worker killed with one frees it when that lease ends, when
the run itself may be taken over; the tick sends again the runs left unsent by then."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from exporthub import queues
from exporthub.bulkheads import slots
from integrations.models import State

from ..models import ExportRun, ExportSlice
from . import clock, ledger
from .ledger import slices as ledger_slices
from .on_demand import backfills


@dataclass(frozen=True)
class Waiting:
    """Work of the tenant handed out to the place given back: a run, or a slice of one."""

    id: int
    is_slice: bool = False


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


def tenant_of(work: Waiting) -> int:
    """The tenant of a run or of a slice's run."""
    found = ExportRun.objects.filter(slices__pk=work.id) if work.is_slice else None
    if found is None:
        found = ExportRun.objects.filter(pk=work.id)
    return int(found.values_list("integration__tenant_id", flat=True).get())


def put_back(work: Waiting) -> None:
    """Work handed out that will not be worked on now: off the queue again, for the next."""
    (step_aside_slice if work.is_slice else step_aside_run)(work.id)()


def step_aside_run(run_id: int) -> Callable[[], None]:
    """Off the queue: the next holder of the tenant's places hands it out (`next_waiting`)."""

    def off_the_queue() -> None:
        ledger.unqueue(run_id)

    return off_the_queue


def step_aside_slice(slice_id: int) -> Callable[[], None]:
    """Off the queue: its hour's own worker takes it, or the next holder of the tenant's places
    hands it out (`next_waiting`)."""

    def off_the_queue() -> None:
        ledger_slices.unqueue(slice_id)

    return off_the_queue


def within_free_places(run_ids: list[int]) -> list[int]:
    """The first of `run_ids` of each tenant, as many as it has places free now: the others
    stay off the queue until a place is given back (`next_waiting`), so a tenant with hundreds
    of runs waiting never fills the queue other tenants' windows wait in."""
    tenants = dict(
        ExportRun.objects.filter(pk__in=run_ids).values_list("pk", "integration__tenant_id")
    )
    cap = settings.EXPORT_WORKERS_PER_TENANT
    free = slots.free_places(set(tenants.values()), queues.EXPORTS, cap)
    sent: list[int] = []
    for run_id in run_ids:
        tenant_id = tenants.get(run_id)
        if tenant_id is not None and free[tenant_id] > 0:
            free[tenant_id] -= 1
            sent.append(run_id)
    return sent


def next_waiting(tenant_id: int) -> Waiting | None:
    """The tenant's work waiting for a place, marked sent; None when there is none.

    First its slices that stepped aside: their hour is running, its -processing manifest out,
    until the last is done. Then its backfills' heads (each backfill still one run at a time),
    then its oldest run due. A slice or a backfill's run left to the tick would find the place
    taken again by the runs handed out here, one after another, until the backlog drained."""
    now = clock.now()
    for slice_id in ledger_slices.unsent(tenant_id, now).values_list("pk", flat=True)[:5]:
        if ledger_slices.send_if_unsent(slice_id, now):
            return Waiting(int(slice_id), is_slice=True)
    if (head := backfills.hand_out_waiting(tenant_id, now)) is not None:
        return Waiting(head)
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
            return Waiting(int(run_id))
    return None
