"""Executing one run: raw windows as CSV.gz, log-level hours with seed 004's manifest protocol.

Tasks and `run_exports` call `execute`; it talks to storage only through the destination
contract, so every cloud behaves alike.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.conf import settings
from django.db import connection

from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State

from . import clock, ledger, manifests
from .catalog import FeedKind
from .copy_source import CsvWindow
from .events import window_rows
from .failures import handle_destination_error
from .formats import CsvGzWriter, PartResult, write_parts, writer_class
from .models import ExportRun
from .paths import join_key, resolve
from .progress import Progress
from .recovery import finished_attempt
from .row_source import hour_rows

logger = logging.getLogger(__name__)
SPOOL_BYTES = 32 * 1024 * 1024  # parts larger than this go to a temporary file, not memory


def execute(run_id: int) -> ExportRun | None:
    """Claim and run one export; None when another worker owns it or it is already done."""
    run = ledger.claim(run_id)
    if run is None:
        return None
    integration = run.integration
    if integration.state != State.ACTIVE:  # deactivated meanwhile: resume after re-Verify
        ExportRun.objects.filter(pk=run.pk).update(
            status=ExportRun.Status.PENDING, lease_expires_at=None
        )
        return run
    began = time.monotonic()
    conn: Connection | None = None
    # Where this attempt writes, recorded first: after a bucket change the history still says
    # where every hour went.
    location = integration.destination_class.location(integration.config)
    ledger.owned(run).update(destination=location)
    try:
        conn = integration.connect()
        export = _export_raw if integration.feed_info.kind == FeedKind.RAW else _export_log_level
        fields = export(run, integration, conn)
        ledger.succeed(run, duration_seconds=time.monotonic() - began, **fields)
    except ledger.LeaseLost:
        # Our lease ran out (a request hung) and another worker owns the run: it decides.
        logger.warning("export run %s was taken over by another worker", run.pk)
    except DestinationError as exc:
        handle_destination_error(run, integration, exc, duration_seconds=time.monotonic() - began)
    except Exception as exc:
        # A bug or a database hiccup: retried like a transient failure, logged without secrets.
        logger.exception("export run %s failed", run.pk)
        ledger.fail(run, type(exc).__name__, "Internal error; the run will be retried.", retry=True)
    finally:
        if conn is not None:
            conn.close()
    run.refresh_from_db()
    return run


def _upload_part(conn: Connection, key: str, stream: IO[bytes], content_type: str) -> None:
    stream.seek(0)
    conn.write(key, stream, content_type=content_type)


def _export_raw(run: ExportRun, integration: Integration, conn: Connection) -> dict[str, Any]:
    """One CSV.gz per 15-minute window of received time, then a completion manifest beside it."""
    feed, start = integration.feed, run.window_start.astimezone(UTC)
    folder = join_key(integration.config["directory"], f"{start:%Y}", f"{start:%m}", f"{start:%d}")
    name = f"{start:%Y-%m-%d-%H-%M}.csv.gz"
    processed_on = clock.now()
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        writer = CsvGzWriter(feed, spool)
        _write_window_csv(writer, run, integration)
        result = writer.close()
        _upload_part(conn, join_key("/" + folder, name), spool, "application/gzip")
    files = [{"name": name, "bytes": result.bytes, "md5": result.md5}]
    manifest_key = join_key("/" + folder, f"{start:%Y-%m-%d-%H-%M}.manifest.json")
    body = manifests.document(
        feed,
        integration.tenant.seat_id,
        start,
        processed_on,
        "/" + folder,
        files,
        CsvGzWriter.feed_properties("GZIP"),
    )
    manifests.put(conn, manifest_key, body)
    return {
        "rows": result.rows,
        "bytes": result.bytes,
        "files": files,
        "path": "/" + folder,
        "manifest": manifest_key,
        "processed_on": processed_on,
        "data_cutoff": run.window_end,
    }


def _write_window_csv(writer: CsvGzWriter, run: ExportRun, integration: Integration) -> None:
    """PostgreSQL writes the CSV itself (COPY); elsewhere rows go through Python's csv."""
    feed, tenant_id = integration.feed, integration.tenant_id
    if connection.vendor != "postgresql":
        rows = window_rows(feed, tenant_id, "received_at", run.window_start, run.window_end)
        writer.write_rows(Progress(run.pk).count(rows))
        return
    # No progress reports here: the connection is busy streaming the COPY, and a query on it
    # would wait for the COPY forever. At several hundred thousand rows a second, the run ends
    # before a report would matter.
    window = CsvWindow(feed, tenant_id, run.window_start, run.window_end)
    for chunk in window:
        writer.write_csv(chunk)
    writer.rows = window.rows


def _processing_time(run: ExportRun) -> datetime:
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


def _export_log_level(run: ExportRun, integration: Integration, conn: Connection) -> dict[str, Any]:
    """Seed 004: stale -processing → -failed; manifest -processing; data; .json or -failed."""
    config, feed, seat = integration.config, integration.feed, integration.tenant.seat_id
    hour = run.window_start.astimezone(UTC)
    finished = finished_attempt(run, integration, conn)
    if finished is not None:
        return finished
    processed_on = _processing_time(run)
    # The file holds exactly the events received before the cutoff; later ones are late events
    # and make a new generation (schedule.reprocess_late_events), never silently part of this.
    data_cutoff = clock.now()
    # Recorded before anything is written, so a later attempt can find what this one wrote.
    if not ledger.owned(run).update(processed_on=processed_on, data_cutoff=data_cutoff):
        raise ledger.LeaseLost(f"run {run.pk} was taken over by another worker")
    live = ledger.live_attempts(integration.pk)
    for manifest_path in integration.manifest_paths:
        manifests.fail_stale(conn, manifest_path, feed, seat, live)
    path = resolve(config["feed_path"], feed=feed, hour=hour, processed_on=processed_on)
    base = join_key(
        config["manifest_path"], manifests.manifest_name(feed, seat, hour, processed_on)
    )
    writer = writer_class(config["format"])
    properties = writer.feed_properties(config["compression"])
    manifests.put(
        conn,
        base + manifests.PROCESSING,
        manifests.document(feed, seat, hour, processed_on, path, [], properties),
    )
    files: list[dict[str, Any]] = []
    try:

        def open_part(number: int) -> IO[bytes]:
            return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

        def finish_part(number: int, stream: IO[bytes], result: PartResult) -> None:
            name = f"{seat}-{number}-{result.md5}-{seat}"
            _upload_part(conn, join_key(path, name), stream, "application/octet-stream")
            stream.close()
            files.append({"name": name, "bytes": result.bytes, "md5": result.md5})
            ledger.extend_lease(run)

        rows, prepared = hour_rows(
            writer, feed, integration.tenant_id, run.window_start, run.window_end, data_cutoff
        )
        results = write_parts(
            writer,
            feed,
            config["compression"],
            Progress(run.pk).count(rows),
            open_part,
            finish_part,
            settings.EXPORT_PART_BYTES,
            prepared=prepared,
        )
        # Fencing: only the owner may publish the hour (a worker that lost its lease stops here
        # and its -processing manifest becomes -failed).
        ledger.extend_lease(run)
        manifests.put(
            conn, base, manifests.document(feed, seat, hour, processed_on, path, files, properties)
        )
        conn.delete(base + manifests.PROCESSING)
    except Exception:
        # Step 4 on failure; if even this fails, the next run's step 1 does it.
        with contextlib.suppress(DestinationError):
            manifests.rename(conn, base + manifests.PROCESSING, base + manifests.FAILED)
        raise
    return {
        "rows": sum(r.rows for r in results),
        "bytes": sum(r.bytes for r in results),
        "files": files,
        "path": path,
        "manifest": base,
        "processed_on": processed_on,
        "data_cutoff": data_cutoff,
    }
