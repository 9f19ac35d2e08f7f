"""An Admin's backfill of a past date range (docs/exports.md, "Backfill").

Windows never exported are exported under their usual names (nothing existed, nothing is
overwritten); log-level hours already exported get a new generation (seed 004: a new
%TIMESTAMP% and manifest); raw windows already delivered are left alone and listed. A backfill's
runs are handed out one at a time, behind the live schedule: the tick sends the first, each
finished run sends the next (`hand_out`), so a backfill never holds more than one worker and
the windows that close meanwhile never wait behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from exporthub.tenancy.auditlog import Actor, record
from integrations.catalog import FeedKind
from integrations.models import Integration, State

from ...ingestion.retention import retention
from ...models import Backfill, ExportRun
from .. import clock, closing, ledger
from ..ledger import NewRun
from ..windows import ceil, closed_until, floor, window_length
from . import queued

Status = ExportRun.Status
UNFINISHED = (Status.PENDING, Status.RUNNING, Status.FAILED)


class BackfillRefused(ValueError):
    """The range is outside the limits or a backfill is already running; the message says why."""


def limits(
    feed: str, now: datetime, in_flight: datetime | None = None
) -> tuple[datetime, datetime]:
    """The earliest window start and the latest window end a backfill may ask for: events are
    kept for EVENT_RETENTION_DAYS, and only closed windows can be exported, by the schedule's
    own rule (windows.closed_until; `in_flight`: the tenant's ingestion of the feed in flight)."""
    length = window_length(feed)
    return ceil(now - retention(), length), floor(closed_until(feed, now, in_flight), length)


@dataclass
class Plan:
    """What a backfill of a range does to each of its windows."""

    new: list[datetime] = field(default_factory=list)  # never exported: generation 0
    revived: list[int] = field(default_factory=list)  # skipped runs, exported after all
    again: list[tuple[datetime, int]] = field(default_factory=list)  # (hour, next generation)
    delivered: list[datetime] = field(default_factory=list)  # raw windows left alone
    queued: list[datetime] = field(default_factory=list)  # waiting or running already

    @property
    def windows(self) -> int:
        return len(self.new) + len(self.revived) + len(self.again)


def check(integration: Integration, start: datetime, end: datetime, now: datetime) -> None:
    """BackfillRefused unless the range can be backfilled now."""
    if integration.state != State.ACTIVE:
        raise BackfillRefused(
            f"The export is {integration.get_state_display().lower()}: verify it first."
        )
    if start >= end:
        raise BackfillRefused("The range is empty: its start must be before its end.")
    writing = closing.live_flight(integration.tenant_id, integration.feed, now)
    earliest, latest = limits(integration.feed, now, writing)
    if floor(start, window_length(integration.feed)) < earliest:
        raise BackfillRefused(
            f"Events are kept for {settings.EVENT_RETENTION_DAYS} days: start at "
            f"{earliest:%Y-%m-%d %H:%M} UTC or later."
        )
    if end > latest:
        raise BackfillRefused(
            f"The range must end by the last closed window, {latest:%Y-%m-%d %H:%M} UTC; "
            "later windows are exported by the schedule."
        )
    if unfinished(integration).exists():
        raise BackfillRefused("A backfill of this export is still running; wait for it to end.")


def plan(integration: Integration, start: datetime, end: datetime) -> Plan:
    """Each window of the range, by what its runs say (one query for all of them)."""
    length = window_length(integration.feed)
    newest: dict[datetime, ExportRun] = {}
    for existing in ExportRun.objects.filter(
        integration=integration, window_start__gte=floor(start, length), window_start__lt=end
    ).order_by("window_start", "generation"):
        newest[existing.window_start] = existing
    log_level = integration.feed_info.kind == FeedKind.LOG_LEVEL
    found = Plan()
    window = floor(start, length)
    while window < end:
        run = newest.get(window)
        if run is None:
            # The schedule, reaching this window later, finds it taken and leaves it alone.
            found.new.append(window)
        elif run.status == Status.SKIPPED:
            found.revived.append(run.pk)
        elif run.status != Status.SUCCEEDED:
            found.queued.append(window)
        elif log_level:
            found.again.append((window, run.generation + 1))
        else:
            found.delivered.append(window)
        window += length
    return found


def request_backfill(
    integration: Integration, start: datetime, end: datetime, actor: Actor
) -> Backfill:
    """Check, plan and create the runs in one transaction; refused with a reason otherwise."""
    now = clock.now()
    length = window_length(integration.feed)
    with transaction.atomic():
        # One request at a time per integration: the second waits here, then sees the first.
        Integration.objects.select_for_update().filter(pk=integration.pk).first()
        check(integration, start, end, now)
        queued.check_room(integration.tenant)
        found = plan(integration, start, end)
        if not found.windows:
            raise BackfillRefused(
                "Every window of that range is delivered already or waiting to be exported."
            )
        backfill = Backfill.objects.create(
            integration=integration,
            start=floor(start, length),
            end=end,
            requested_by=actor.label,
            windows=found.windows,
            reprocessed=len(found.again),
            delivered_before=[window.isoformat() for window in found.delivered],
            queued_before=[window.isoformat() for window in found.queued],
        )
        _create_runs(integration, backfill, found, length)
        record(
            integration.tenant,
            "integration.backfill_requested",
            actor,
            target_type="integration",
            target_id=integration.pk,
            target_label=integration.name,
            changes={
                "start": backfill.start.isoformat(),
                "end": backfill.end.isoformat(),
                "windows": found.windows,
                "reprocessed": len(found.again),
                "delivered_before": len(found.delivered),
            },
        )
    return backfill


def _create_runs(
    integration: Integration, backfill: Backfill, found: Plan, length: timedelta
) -> None:
    ledger.create_runs(
        [NewRun(integration.pk, window, window + length, Status.PENDING) for window in found.new]
    )
    ledger.add_generations(
        [(integration.pk, hour, hour + length, generation) for hour, generation in found.again]
    )
    ledger.revive(found.revived)
    ledger.assign_backfill(backfill, found.new, found.revived, found.again)


def unfinished(integration: Integration) -> QuerySet[Backfill]:
    return Backfill.objects.filter(integration=integration, runs__status__in=UNFINISHED).distinct()


# Handing runs out, one per backfill at a time.


def _busy(now: datetime) -> Exists:
    """A run of the same backfill is running or was sent to the queue within a lease."""
    return Exists(
        ExportRun.objects.filter(backfill=OuterRef("backfill")).filter(
            Q(status=Status.RUNNING, lease_expires_at__gte=now)
            | Q(enqueued_at__gte=now - ledger.lease())
        )
    )


def _waiting(now: datetime) -> QuerySet[ExportRun]:
    return (
        ExportRun.objects.filter(
            ledger.claimable(now), backfill__isnull=False, integration__state=State.ACTIVE
        )
        .exclude(_busy(now))
        .order_by("window_start", "generation")
    )


def heads(now: datetime) -> list[int]:
    """The first waiting run of every backfill that has none in flight (for the tick)."""
    first: dict[int, int] = {}
    for backfill_id, run_id in _waiting(now).values_list("backfill_id", "pk"):
        first.setdefault(backfill_id, run_id)
    return list(first.values())


def hand_out_waiting(tenant_id: int, now: datetime) -> int | None:
    """The head of one of the tenant's backfills that has none in flight (its run stepped aside
    for want of a place), marked sent by a conditional update: one sender wins."""
    waiting = _waiting(now).filter(integration__tenant_id=tenant_id, enqueued_at__isnull=True)
    for run_id in waiting.values_list("pk", flat=True)[:5]:
        if ledger.send_if_unsent(run_id, now):
            return int(run_id)
    return None


def hand_out(backfill_id: int, now: datetime) -> int | None:
    """The backfill's next run, marked as sent, when none of its runs is in flight."""
    run_id = _waiting(now).filter(backfill_id=backfill_id).values_list("pk", flat=True).first()
    if run_id is not None:
        ledger.mark_enqueued([run_id], now)
    return run_id


def following(run: ExportRun, now: datetime) -> int | None:
    """After one of a backfill's runs ended: its next run, handed out (None for a live run)."""
    return None if run.backfill_id is None else hand_out(run.backfill_id, now)


@dataclass(frozen=True)
class BackfillProgress:
    backfill: Backfill
    done: int  # windows succeeded
    skipped: int  # windows that could not be exported (older than the retention by then)
    running: bool

    @property
    def total(self) -> int:
        return self.backfill.windows


def progress(backfill: Backfill) -> BackfillProgress:
    return progress_of([backfill])[0]


def progress_of(found: list[Backfill]) -> list[BackfillProgress]:
    """Each backfill's progress, from one query over all their runs."""
    counts: dict[int, dict[str, int]] = {backfill.pk: {} for backfill in found}
    runs = ExportRun.objects.filter(backfill__in=found).values_list("backfill", "status")
    for backfill_id, status, n in runs.annotate(n=Count("pk")):
        counts[backfill_id][status] = n
    return [
        BackfillProgress(
            backfill,
            done=counts[backfill.pk].get(Status.SUCCEEDED, 0),
            skipped=counts[backfill.pk].get(Status.SKIPPED, 0),
            running=any(counts[backfill.pk].get(status) for status in UNFINISHED),
        )
        for backfill in found
    ]
