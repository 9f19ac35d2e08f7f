"""What the beat tick does: create the runs that are due and hand out those ready to run."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, Max, OuterRef, Q

from integrations.catalog import FEEDS, FeedKind
from integrations.models import Integration, State

from ..ingestion.retention import retention
from ..models import EVENT_MODELS, ExportRun, SchedulerTick
from . import closing, ledger, places
from .hour_counts import late_rows
from .ledger import NewRun
from .on_demand import backfills
from .windows import BACKFILL_LIMIT, due_windows, window_length

Status = ExportRun.Status
LOG_LEVEL_FEEDS = [name for name, feed in FEEDS.items() if feed.kind == FeedKind.LOG_LEVEL]


def close_tick(now: datetime) -> list[int]:
    """The beat's frequent raw tick: the raw schedule, when a window may be waiting to close
    (closing.needs_tick); the ids of runs ready to be executed."""
    if not closing.needs_tick(now):
        return []
    flights = closing.in_flight(now)
    ready = schedule(now, (FeedKind.RAW,), flights)
    closing.note_closed(now, flights)
    return ready


def schedule(
    now: datetime,
    kinds: tuple[FeedKind, ...] = (FeedKind.RAW, FeedKind.LOG_LEVEL),
    flights: dict[tuple[int, str], datetime] | None = None,
) -> list[int]:
    """Create missing runs for closed windows; return the ids of runs ready to be executed.
    `flights`: ingestion in flight (closing.in_flight), read here unless given."""
    feeds = [name for name, feed in FEEDS.items() if feed.kind in kinds]
    if flights is None:
        flights = closing.in_flight(now) if FeedKind.RAW in kinds else {}
    integrations = Integration.objects.filter(
        state=State.ACTIVE, feed__in=feeds, exports_from__isnull=False
    )
    # The schedule's own progress: windows an Admin's backfill created ahead of it (after a
    # re-Verify, before this tick) are found taken when it gets there, not jumped over.
    latest = dict(
        ExportRun.objects.filter(integration__in=integrations, generation=0, backfill=None)
        .values_list("integration")
        .annotate(Max("window_start"))
    )
    new_runs: list[NewRun] = []
    for integration in integrations.only("id", "tenant_id", "feed", "exports_from"):
        start_from = integration.exports_from or now
        if integration.pk in latest:
            start_from = max(start_from, latest[integration.pk] + window_length(integration.feed))
        writing = flights.get((integration.tenant_id, integration.feed))
        for start in due_windows(integration.feed, start_from, now, writing):
            end = start + window_length(integration.feed)
            new_runs.append(NewRun(integration.pk, start, end, Status.PENDING))
    ledger.create_runs(new_runs)
    # Past the 3-day catch-up after a pause, or past the events' retention: recorded as skipped
    # with the reason, never silently.
    ledger.skip_older_than(now - retention(), now)
    if FeedKind.LOG_LEVEL in kinds:
        reprocess_late_events(now)
    ready = ExportRun.objects.filter(
        ledger.claimable(now),
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - ledger.lease()),
        integration__state=State.ACTIVE,
        backfill=None,
    )
    ids = list(ready.order_by("window_start").values_list("pk", flat=True))
    # Admins' backfills last, one run each: queued behind every live window of this tick.
    ids += backfills.heads(now)
    ids = places.within_free_places(ids)
    ledger.mark_enqueued(ids, now)
    return ids


def reprocess_late_events(now: datetime) -> int:
    """An event that arrived after an hour was exported makes a new run of that hour.

    One query per log-level feed finds the newest succeeded run of each recent hour that has
    events received after its data cutoff (those the run's row filter keeps); one insert
    creates the next generations."""
    later = ExportRun.objects.filter(
        integration=OuterRef("integration"),
        window_start=OuterRef("window_start"),
        generation__gt=OuterRef("generation"),
    )
    new_runs: list[tuple[int, datetime, datetime, int]] = []
    for feed in LOG_LEVEL_FEEDS:
        late = EVENT_MODELS[feed]._default_manager.filter(
            tenant_id=OuterRef("integration__tenant_id"),
            event_time__gte=OuterRef("window_start"),
            event_time__lt=OuterRef("window_end"),
            received_at__gte=OuterRef("data_cutoff"),
        )
        stale = ExportRun.objects.filter(
            Exists(late),
            ~Exists(later),
            status=Status.SUCCEEDED,
            window_start__gte=now - BACKFILL_LIMIT,
            data_cutoff__isnull=False,
            integration__state=State.ACTIVE,
            integration__feed=feed,
        ).values_list(
            "integration_id", "window_start", "window_end", "generation", "filters",
            "data_cutoff", "integration__tenant_id",
        )  # fmt: skip
        new_runs += [
            (integration, start, end, generation + 1)
            for integration, start, end, generation, kept, cutoff, tenant in stale
            # With a row filter, only late rows it keeps change the hour (a query per such
            # hour, asked only of hours that have late rows at all).
            if not kept or (cutoff and late_rows(feed, tenant, start, end, cutoff, kept))
        ]
    ledger.add_generations(new_runs)
    return len(new_runs)


def record_tick(now: datetime) -> None:
    """The beat ran: stale after SCHEDULER_STALE_SECONDS without one (health and metrics)."""
    SchedulerTick.objects.update_or_create(name="schedule", defaults={"ticked_at": now})


def last_tick() -> datetime | None:
    return SchedulerTick.objects.filter(name="schedule").values_list("ticked_at", flat=True).first()
