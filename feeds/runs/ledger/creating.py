"""The ledger's new runs: the schedule's windows, new generations, a backfill's runs, and
handing them out (skipped, revived, sent to the queue)."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Coalesce, Least

from integrations.models import State

from ...models import Backfill, ExportRun
from ..windows import BACKFILL_LIMIT
from .new_runs import NewRun, insert_runs

Status = ExportRun.Status


def create_runs(runs: list[NewRun]) -> None:
    """The schedule's due windows; one that already exists is left as it is."""
    insert_runs(runs)


def add_generations(runs: list[tuple[int, datetime, datetime, int]]) -> None:
    """New generations of exported hours (integration id, start, end, generation); one taken
    meanwhile is left as it is."""
    ExportRun.objects.bulk_create(
        [
            ExportRun(integration_id=integration, window_start=start, window_end=end,
                      generation=generation)
            for integration, start, end, generation in runs
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def add_next_generation(integration_id: int, start: datetime, end: datetime) -> ExportRun | None:
    """The next generation of one hour, or None when a concurrent request took it."""
    last = ExportRun.objects.filter(integration_id=integration_id, window_start=start).aggregate(
        Max("generation")
    )["generation__max"]
    try:
        with transaction.atomic():
            return ExportRun.objects.create(
                integration_id=integration_id,
                window_start=start,
                window_end=end,
                generation=(last or 0) + 1,
            )
    except IntegrityError:
        return None


def assign_backfill(
    backfill: Backfill,
    new: list[datetime],
    revived: list[int],
    again: list[tuple[datetime, int]],
) -> None:
    """The backfill's own runs, just created or revived, marked as its: whatever the inserts
    found taken meanwhile is not this backfill's."""
    mine = Q(window_start__in=new, generation=0) | Q(pk__in=revived)
    for hour, generation in again:
        mine |= Q(window_start=hour, generation=generation)
    ExportRun.objects.filter(mine, integration_id=backfill.integration_id, backfill=None).filter(
        Q(status=Status.PENDING, attempts=0) | Q(pk__in=revived)
    ).update(backfill=backfill)


# Handing runs out.


def skip_older_than(oldest_kept: datetime, now: datetime) -> None:
    """Windows that can no longer be exported, skipped with the reason, never silently dropped:
    the catch-up after an export was inactive (deactivated by a lost permission, or changed and
    not verified yet) goes back at most 3 days from its return (seed 004); any other waiting or
    failing window is retried until its events are past the retention (`oldest_kept`).

    The return is the integration's last state change while it is active (its activation),
    bounded by `now` for a simulated clock (`run_exports --now`)."""
    waiting = ExportRun.objects.filter(status__in=(Status.PENDING, Status.FAILED))
    returned = Least(Coalesce("integration__state_changed_at", Value(now)), Value(now))
    waiting.filter(
        window_start__lt=returned - Value(BACKFILL_LIMIT),
        integration__state=State.ACTIVE,
        backfill=None,
    ).update(
        status=Status.SKIPPED,
        error_code="BackfillLimit",
        next_attempt_at=None,
        error_message="Missed while the export was inactive, more than 3 days before it was "
        "verified again; not exported.",
    )
    waiting.filter(window_start__lt=oldest_kept).update(
        status=Status.SKIPPED,
        error_code="RetentionLimit",
        next_attempt_at=None,
        error_message="Its events are past the retention period; not exported.",
    )


def revive(run_ids: list[int]) -> None:
    """Skipped runs an Admin's backfill exports after all: waiting again, errors cleared."""
    ExportRun.objects.filter(pk__in=run_ids, status=Status.SKIPPED).update(
        status=Status.PENDING,
        next_attempt_at=None,
        enqueued_at=None,
        error_code="",
        error_message="",
    )


def mark_enqueued(run_ids: list[int], now: datetime) -> None:
    ExportRun.objects.filter(pk__in=run_ids).update(enqueued_at=now)


def send_if_unsent(run_id: int, now: datetime) -> bool:
    """Marks a run that is in no queue as sent; False when another sender marked it first."""
    return bool(
        ExportRun.objects.filter(pk=run_id, enqueued_at__isnull=True).update(enqueued_at=now)
    )


def unqueue(run_id: int) -> None:
    """Takes a run off the queue: the next sender hands it out again."""
    ExportRun.objects.filter(pk=run_id).update(enqueued_at=None)
