"""Executing one run, the tasks' entry: a raw window (feeds.runs.raw), a log-level hour with
seed 004's manifest protocol (feeds.runs.hourly), a large hour's slices on any worker.

Tasks and `run_exports` call `execute`; it talks to storage only through the destination
contract, so every cloud behaves alike.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.utils import timezone

from integrations.catalog import FeedKind
from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State

from ..models import ExportRun, ExportSlice
from . import clock, ledger, metrics_and_signals
from .failures import handle_destination_error
from .hourly import protocol, slices
from .on_demand import backfills
from .raw.window import export_window

logger = logging.getLogger(__name__)


def execute(
    run_id: int,
    hand_out: Callable[[list[int]], None] | None = None,
    send_next: Callable[[int], object] | None = None,
) -> ExportRun | None:
    """Claim and run one export; None when another worker owns it or it is already done.

    `hand_out` sends the slices of a large log-level hour to other workers (the Celery task);
    without it this worker exports every slice itself. `send_next` gets a backfill's next run
    once this one ended (_backfill_goes_on)."""
    run = ledger.claim(run_id)
    if run is None:
        return None
    integration = run.integration
    if integration.state != State.ACTIVE:  # deactivated meanwhile: resume after re-Verify
        ledger.release(run)
    else:
        location = integration.destination_class.location(integration.config)
        ledger.record_destination(run, location)
        ledger.record_filters(run, integration.config.get("filters") or [])
        _attempt(run, integration, timezone.now(), hand_out=hand_out or _nobody)
        run.refresh_from_db()
    _backfill_goes_on(run, send_next)
    return run


def _nobody(slice_ids: list[int]) -> None:
    """No other worker is told: this one takes every slice (run_exports, benchmarks)."""


def execute_slice(
    slice_id: int, send_next: Callable[[int], object] | None = None
) -> ExportRun | None:
    """Claim a slice of a large hour and export it, then any other left; the worker finishing
    the last publishes the hour. None when another worker has it or its attempt is over."""
    piece = slices.claim(slice_id)
    if piece is None:
        return None
    run = ExportRun.objects.select_related("integration__tenant").get(pk=piece.run_id)
    run.attempts = piece.attempt  # the attempt this slice belongs to fences every write
    integration = run.integration
    if integration.state != State.ACTIVE:  # deactivated meanwhile: resume after re-Verify
        ledger.release(run)
    elif integration.destination_class.location(integration.config) != run.destination:
        # The Admin pointed the export elsewhere mid-hour: never half an hour in each bucket.
        ledger.fail(run, "DestinationChanged", "The destination changed while the hour was "
                    "being exported; the hour is exported again there.", retry=True)  # fmt: skip
    else:
        _attempt(run, integration, piece.began_at, piece=piece)
        run.refresh_from_db()
    # The worker that finished the hour's last slice recorded the run: as after any run.
    _backfill_goes_on(run, send_next)
    return run


def _backfill_goes_on(run: ExportRun, send_next: Callable[[int], object] | None) -> None:
    """After one of a backfill's runs ended, its next run is sent, to the back of the queue
    behind any live window (feeds.runs.on_demand.backfills)."""
    if send_next is None:
        return
    if (following := backfills.following(run, clock.now())) is not None:
        send_next(following)


def _attempt(
    run: ExportRun,
    integration: Integration,
    began_at: datetime,
    *,
    hand_out: Callable[[list[int]], None] = _nobody,
    piece: ExportSlice | None = None,
) -> None:
    """One worker's part of an attempt, its outcome or its failure recorded in the ledger."""
    conn: Connection | None = None

    def seconds() -> float:
        return (timezone.now() - began_at).total_seconds()

    try:
        conn = integration.connect()
        outcome = _export(run, integration, conn, hand_out, piece)
        if outcome is not None:
            took = seconds()
            if ledger.succeed(run, outcome, duration_seconds=took):
                metrics_and_signals.succeeded(run, integration, outcome, took)
    except ledger.LeaseLost:
        # Our lease ran out (a request hung) and another worker owns the run: it decides.
        logger.warning("export run %s was taken over by another worker", run.pk)
    except DestinationError as exc:
        handle_destination_error(run, integration, exc, duration_seconds=seconds())
        metrics_and_signals.failed(run, integration)
    except Exception as exc:
        # A bug or a database hiccup: retried like a transient failure, logged without secrets.
        logger.exception("export run %s failed", run.pk)
        ledger.fail(run, type(exc).__name__, "Internal error; the run will be retried.", retry=True)
        metrics_and_signals.failed(run, integration)
    finally:
        if conn is not None:
            conn.close()


def _export(
    run: ExportRun,
    integration: Integration,
    conn: Connection,
    hand_out: Callable[[list[int]], None],
    piece: ExportSlice | None,
) -> ledger.Outcome | None:
    """This worker's step: a slice of an hour begun elsewhere, a raw window or a log-level hour."""
    if piece is not None:
        return protocol.continue_hour(piece, run, integration, conn)
    if integration.config.get("format") == "iceberg":  # one table commit, no manifests
        # Imported here: pyiceberg costs a worker ~45 MB, only for the integrations using it.
        from ..iceberg import export as iceberg_export

        if integration.feed_info.kind == FeedKind.RAW:
            return iceberg_export.export_window(run, integration, conn)
        return iceberg_export.export_hour(run, integration, conn)
    if integration.feed_info.kind == FeedKind.RAW:
        return export_window(run, integration, conn)
    return protocol.export_hour(run, integration, conn, hand_out)
