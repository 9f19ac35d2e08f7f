"""Executing one run: raw windows as CSV.gz, log-level hours with seed 004's manifest protocol.

Tasks and `run_exports` call `execute`; it talks to storage only through the destination
contract, so every cloud behaves alike.
"""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import UTC
from typing import IO, Any

from django.conf import settings

from integrations.catalog import FeedKind, file_format
from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration, State
from integrations.paths import join_key, resolve

from ..formats import PartResult, write_parts, writer_class
from ..models import ExportRun
from . import clock, ledger, manifests, observed
from .failures import handle_destination_error
from .progress import Progress
from .reading import hour_rows, write_window
from .recovery import finished_attempt

logger = logging.getLogger(__name__)
SPOOL_BYTES = 32 * 1024 * 1024  # parts larger than this go to a temporary file, not memory


def execute(run_id: int) -> ExportRun | None:
    """Claim and run one export; None when another worker owns it or it is already done."""
    run = ledger.claim(run_id)
    if run is None:
        return None
    integration = run.integration
    if integration.state != State.ACTIVE:  # deactivated meanwhile: resume after re-Verify
        ledger.release(run)
        return run
    began = time.monotonic()
    conn: Connection | None = None
    ledger.record_destination(run, integration.destination_class.location(integration.config))
    try:
        conn = integration.connect()
        export = _export_raw if integration.feed_info.kind == FeedKind.RAW else _export_log_level
        outcome = export(run, integration, conn)
        seconds = time.monotonic() - began
        if ledger.succeed(run, outcome, duration_seconds=seconds):
            observed.succeeded(run, integration, outcome, seconds)
    except ledger.LeaseLost:
        # Our lease ran out (a request hung) and another worker owns the run: it decides.
        logger.warning("export run %s was taken over by another worker", run.pk)
    except DestinationError as exc:
        handle_destination_error(run, integration, exc, duration_seconds=time.monotonic() - began)
        observed.failed(run, integration)
    except Exception as exc:
        # A bug or a database hiccup: retried like a transient failure, logged without secrets.
        logger.exception("export run %s failed", run.pk)
        ledger.fail(run, type(exc).__name__, "Internal error; the run will be retried.", retry=True)
        observed.failed(run, integration)
    finally:
        if conn is not None:
            conn.close()
    run.refresh_from_db()
    return run


def _upload_part(conn: Connection, key: str, stream: IO[bytes], content_type: str) -> None:
    stream.seek(0)
    conn.write(key, stream, content_type=content_type)


def _export_raw(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """One CSV.gz per 15-minute window of received time, then a completion manifest beside it."""
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
        _upload_part(conn, join_key(folder, name), spool, writer_type.content_type)
    files = [{"name": name, "bytes": result.bytes, "md5": result.md5}]
    manifest_key = join_key(folder, f"{start:%Y-%m-%d-%H-%M}.manifest.json")
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
        manifest=manifest_key,
        processed_on=processed_on,
        data_cutoff=run.window_end,
    )


def _export_log_level(run: ExportRun, integration: Integration, conn: Connection) -> ledger.Outcome:
    """Seed 004: stale -processing → -failed; manifest -processing; data; .json or -failed."""
    config, feed, seat = integration.config, integration.feed, integration.tenant.seat_id
    hour = run.window_start.astimezone(UTC)
    finished = finished_attempt(run, integration, conn)
    if finished is not None:
        return finished
    processed_on = ledger.processing_time(run)
    # The file holds exactly the events received before the cutoff; later ones are late events
    # and make a new generation (schedule.reprocess_late_events), never silently part of this.
    data_cutoff = clock.now()
    ledger.record_attempt(run, processed_on, data_cutoff)
    live = ledger.live_attempts(integration.pk)
    for manifest_path in integration.manifest_paths:
        manifests.fail_stale(conn, manifest_path, feed, seat, live)
    path = resolve(config["feed_path"], feed=feed, hour=hour, processed_on=processed_on)
    base = join_key(
        config["manifest_path"], manifests.manifest_name(feed, seat, hour, processed_on)
    )
    writer = writer_class(config["format"])
    properties = writer.feed_properties(config["compression"])
    files: list[dict[str, Any]] = []

    def open_part(number: int) -> IO[bytes]:
        return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

    def finish_part(number: int, stream: IO[bytes], result: PartResult) -> None:
        name = f"{seat}-{number}-{result.md5}-{seat}"
        _upload_part(conn, join_key(path, name), stream, "application/octet-stream")
        stream.close()
        files.append({"name": name, "bytes": result.bytes, "md5": result.md5})
        ledger.extend_lease(run)

    announced = manifests.document(feed, seat, hour, processed_on, path, [], properties)
    with manifests.attempt(conn, base, announced) as manifest:
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
        manifest.publish(
            manifests.document(feed, seat, hour, processed_on, path, files, properties)
        )
    return ledger.Outcome(
        rows=sum(r.rows for r in results),
        bytes=sum(r.bytes for r in results),
        files=files,
        path=path,
        manifest=base,
        processed_on=processed_on,
        data_cutoff=data_cutoff,
    )
