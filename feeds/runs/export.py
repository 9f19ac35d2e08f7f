"""Executing one run: raw windows as CSV.gz, log-level hours with seed 004's manifest protocol
(feeds.runs.hours), a large hour's slices on any worker.

Tasks and `run_exports` call `execute`; it talks to storage only through the destination
contract, so every cloud behaves alike.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from django.utils import timezone

from integrations.catalog import FeedKind, file_format
from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State
from integrations.paths import join_key

from ..formats import writer_class
from ..models import ExportRun
from . import clock, hours, ledger, manifests, observed, raw_manifests, slices
from .failures import handle_destination_error
from .hours import SPOOL_BYTES
from .progress import Progress
from .reading import write_window

logger = logging.getLogger(__name__)


def execute(run_id: int, hand_out: Callable[[list[int]], None] | None = None) -> ExportRun | None:
    """Claim and run one export; None when another worker owns it or it is already done.

    `hand_out` sends the slices of a large log-level hour to other workers (the Celery task);
    without it this worker exports every slice itself."""
    run = ledger.claim(run_id)
    if run is None:
        return None
    integration = run.integration
    if integration.state != State.ACTIVE:  # deactivated meanwhile: resume after re-Verify
        ledger.release(run)
        return run
    ledger.record_destination(run, integration.destination_class.location(integration.config))
    if integration.feed_info.kind == FeedKind.RAW:
        _attempt(run, integration, timezone.now(), partial(_export_raw, run, integration))
    else:
        export = partial(hours.export_hour, run, integration, hand_out=hand_out or _nobody)
        _attempt(run, integration, timezone.now(), export)
    run.refresh_from_db()
    return run


def _nobody(slice_ids: list[int]) -> None:
    """No other worker is told: this one takes every slice (run_exports, benchmarks)."""


def execute_slice(slice_id: int) -> ExportRun | None:
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
        return run
    if integration.destination_class.location(integration.config) != run.destination:
        # The Admin pointed the export elsewhere mid-hour: never half an hour in each bucket.
        ledger.fail(run, "DestinationChanged", "The destination changed while the hour was "
                    "being exported; the hour is exported again there.", retry=True)  # fmt: skip
        return run
    export = partial(hours.continue_hour, piece, run, integration)
    _attempt(run, integration, piece.began_at, export)
    run.refresh_from_db()
    return run


def _attempt(
    run: ExportRun,
    integration: Integration,
    began_at: datetime,
    export: Callable[[Connection], ledger.Outcome | None],
) -> None:
    """One worker's part of an attempt, its outcome or its failure recorded in the ledger."""
    conn: Connection | None = None

    def seconds() -> float:
        return (timezone.now() - began_at).total_seconds()

    try:
        conn = integration.connect()
        outcome = export(conn)
        if outcome is not None:
            took = seconds()
            if ledger.succeed(run, outcome, duration_seconds=took):
                observed.succeeded(run, integration, outcome, took)
    except ledger.LeaseLost:
        # Our lease ran out (a request hung) and another worker owns the run: it decides.
        logger.warning("export run %s was taken over by another worker", run.pk)
    except DestinationError as exc:
        handle_destination_error(run, integration, exc, duration_seconds=seconds())
        observed.failed(run, integration)
    except Exception as exc:
        # A bug or a database hiccup: retried like a transient failure, logged without secrets.
        logger.exception("export run %s failed", run.pk)
        ledger.fail(run, type(exc).__name__, "Internal error; the run will be retried.", retry=True)
        observed.failed(run, integration)
    finally:
        if conn is not None:
            conn.close()


def _export_raw(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """One file per 15-minute window of received time (CSV.gz by default), then its completion
    manifest where the integration asked for one (raw_manifests)."""
    feed, start = integration.feed, run.window_start.astimezone(UTC)
    folder = "/" + join_key(
        integration.config["directory"], f"{start:%Y}", f"{start:%m}", f"{start:%d}"
    )
    data_format, compression = file_format(integration.config)
    writer_type = writer_class(data_format)
    name = f"{start:%Y-%m-%d-%H-%M}.{writer_type.extension}"
    processed_on = clock.now()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        writer = writer_type(
            feed, spool, compression, columns=integration.config.get("columns") or None
        )
        write_window(
            writer, feed, integration.tenant_id, run.window_start, run.window_end,
            Progress(run.pk).count,
        )  # fmt: skip
        result = writer.close()
        hours.upload_part(conn, join_key(folder, name), spool, writer_type.content_type, result)
    files = [{"name": name, "bytes": result.bytes, "md5": result.md5}]
    manifest_key = raw_manifests.manifest_key(integration.config, start)
    if manifest_key is not None:
        seat, properties = integration.tenant.seat_id, writer_type.feed_properties(compression)
        manifests.put(
            conn,
            manifest_key,
            manifests.document(feed, seat, start, processed_on, folder, files, properties),
        )
    return ledger.Outcome(
        rows=result.rows,
        bytes=result.bytes,
        files=files,
        path=folder,
        manifest=manifest_key or "",
        processed_on=processed_on,
        data_cutoff=run.window_end,
    )
