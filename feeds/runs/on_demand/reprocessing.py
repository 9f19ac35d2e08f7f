"""An Admin's request to export an hour again: refused with a reason unless it can only add a
generation of an hour the schedule already exported (docs/exports.md, "Reprocessing")."""

from __future__ import annotations

from datetime import datetime

from exporthub.tenancy.auditlog import Actor, record
from integrations.catalog import FeedKind
from integrations.models import Integration, State

from ...models import ExportRun
from .. import clock, ledger
from ..windows import BACKFILL_LIMIT, HOUR, ceil, floor
from . import queued

Status = ExportRun.Status


class ReprocessingRefused(ValueError):
    """The request would rewrite, invent or skip an hour; the message says why."""


def check(integration: Integration, hour: datetime, now: datetime) -> datetime:
    """The start of the hour to reprocess, or ReprocessingRefused."""
    if integration.feed_info.kind != FeedKind.LOG_LEVEL:
        # Seed 000 names a raw window's file after the window: a second export could only
        # replace the delivered file, and seed 004 never overwrites delivered data.
        raise ReprocessingRefused(
            "Raw feeds are exported once per window under the window's name; reprocessing "
            "would overwrite a delivered file, so only log-level hours can be reprocessed."
        )
    if integration.state != State.ACTIVE:
        raise ReprocessingRefused(
            f"The export is {integration.get_state_display().lower()}: verify it first."
        )
    start = floor(hour, HOUR)
    if start > now - HOUR:  # written so, start + 1 h cannot overflow near the year 9999
        raise ReprocessingRefused("That hour has not closed yet; it is exported when it has.")
    if integration.exports_from is None or start < ceil(integration.exports_from, HOUR):
        raise ReprocessingRefused("That hour is before this export's first hour.")
    if start < now - BACKFILL_LIMIT:
        raise ReprocessingRefused("That hour is older than the 3-day backfill limit.")
    runs = ExportRun.objects.filter(integration=integration, window_start=start)
    if not runs.exists():
        raise ReprocessingRefused("That hour has not been exported yet; the schedule will do it.")
    if runs.filter(queued.STILL_QUEUED).exists():
        raise ReprocessingRefused("An export of that hour is already waiting or running.")
    return start


def request_reprocessing(integration: Integration, hour: datetime, actor: Actor) -> ExportRun:
    """A new generation of an exported hour: a new path and manifest, nothing overwritten.

    It never creates generation 0, so the schedule's progress (its newest generation-0 window)
    cannot move because of it."""
    start = check(integration, hour, clock.now())
    queued.check_room(integration.tenant)
    run = ledger.add_next_generation(integration.pk, start, start + HOUR)
    if run is None:  # a concurrent request took that generation
        raise ReprocessingRefused("An export of that hour is already waiting or running.")
    record(
        integration.tenant,
        "integration.reprocess_requested",
        actor,
        target_type="integration",
        target_id=integration.pk,
        target_label=integration.name,
        changes={"window_start": run.window_start.isoformat()},
    )
    return run
