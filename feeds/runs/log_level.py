"""A log-level hour with seed 004's manifest protocol: by one worker, or, when it holds more than
EXPORT_SLICE_ROWS rows, in slices by as many workers as take them (feeds.runs.slices).

Consumers see the same protocol either way: one -processing manifest before any data file, one
`.json` listing every part once all of them are uploaded, or -failed."""

from __future__ import annotations

import contextlib
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import IO, Any

from django.conf import settings
from django.utils import timezone

from exporthub import allocator
from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration
from integrations.paths import join_key, resolve

from ..formats import FormatWriter, PartResult, write_parts, writer_class
from ..models import ExportRun, ExportSlice
from . import clock, ledger, manifests, slices
from .progress import Progress
from .reading import hour_rows
from .recovery import finished_attempt

logger = logging.getLogger(__name__)
# Parts larger than this go to a temporary file, not memory: a worker's peak RSS holds it (the
# page cache serves the upload that follows either way). Small, because a part rolling over is
# held twice for a moment (the buffer and its copy) and what that frees stays resident until the
# part is uploaded: 1 MiB rather than 8 MiB put a 10 M-row hour's peak ~10 MB lower (bench/).
SPOOL_BYTES = 1024 * 1024


def upload_part(
    conn: Connection, key: str, stream: IO[bytes], content_type: str, written: PartResult
) -> None:
    """A spooled part, whose writer hashed exactly these bytes for its name: the upload counts
    them rather than hashing them again (a quarter second of CPU per 130 MB, after the part is
    complete: docs/feeds.md). Fewer or more than were written is an error, never a file whose
    name and manifest describe other bytes.

    What the writer freed goes back to the system before the upload and what the upload freed
    after it, so the next part starts where this one did (exporthub.allocator)."""
    allocator.give_back()
    stream.seek(0)
    try:
        info = conn.write(key, stream, content_type=content_type, md5=written.md5)
    finally:
        allocator.give_back()
    if info.size != written.bytes:
        raise DestinationError(
            "ShortUpload",
            f"{key}: {info.size} bytes read back from the spool, {written.bytes} written.",
            permanent=False,
        )


@dataclass(frozen=True)
class Hour:
    """Where and how one attempt of an hour is written, for every worker that writes it."""

    run: ExportRun
    integration: Integration
    processed_on: datetime
    data_cutoff: datetime

    @property
    def seat(self) -> int:
        return int(self.integration.tenant.seat_id)

    @property
    def path(self) -> str:
        hour = self.run.window_start.astimezone(UTC)
        feed_path = self.integration.config["feed_path"]
        return resolve(feed_path, feed=self.integration.feed, hour=hour,
                       processed_on=self.processed_on)  # fmt: skip

    @property
    def base(self) -> str:
        name = manifests.manifest_name(
            self.integration.feed, self.seat, self.run.window_start.astimezone(UTC),
            self.processed_on,
        )  # fmt: skip
        return join_key(self.integration.config["manifest_path"], name)

    @property
    def writer(self) -> type[FormatWriter]:
        return writer_class(self.integration.config["format"])

    def document(self, files: list[dict[str, Any]]) -> bytes:
        properties = self.writer.feed_properties(self.integration.config["compression"])
        return manifests.document(
            self.integration.feed, self.seat, self.run.window_start.astimezone(UTC),
            self.processed_on, self.path, files, properties,
        )  # fmt: skip

    def write(
        self,
        conn: Connection,
        start: datetime,
        end: datetime,
        progress: Progress,
        number: Callable[[], int] | None = None,
        announce: Callable[[dict[str, Any]], None] | None = None,
        holds: Callable[[], bool] | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Rows with event time in [start, end) into parts named as seed 004 says: the files
        uploaded and the rows. `number` gives each part its number (default 0, 1, 2 … in
        order); `announce` hears of each part before its upload, so a worker taking over can
        remove it, and `holds` says after it whether this worker still has the work (default:
        the run's lease is renewed after each upload)."""
        feed, compression = self.integration.feed, self.integration.config["compression"]
        rows, batches = hour_rows(
            self.writer, feed, self.integration.tenant_id, start, end, self.data_cutoff
        )
        files: list[dict[str, Any]] = []

        def finish_part(counted: int, stream: IO[bytes], result: PartResult) -> None:
            part = counted if number is None else number()
            name = f"{self.seat}-{part}-{result.md5}-{self.seat}"
            files.append({"name": name, "bytes": result.bytes, "md5": result.md5})
            if announce is not None:
                announce(files[-1])
            key = join_key(self.path, name)
            upload_part(conn, key, stream, "application/octet-stream", result)
            stream.close()
            if holds is not None and not holds():
                # Stalled inside the upload while another worker took the slice over (and may
                # have deleted this part already, or published the hour): the part is in no
                # manifest, so its writer removes it.
                conn.delete(key)
                raise slices.SliceLost(f"{name} landed after its slice was taken over")
            if announce is None:
                ledger.extend_lease(self.run)

        def open_part(number: int) -> IO[bytes]:
            return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

        counted = progress.count_batches(rows) if batches else progress.count(rows)
        # Closed here, error or not: on PostgreSQL the hour is read on a connection of its own,
        # which must not stay open while the error's traceback does.
        with contextlib.closing(rows):
            results = write_parts(
                self.writer, feed, compression, counted, open_part, finish_part,
                settings.EXPORT_PART_BYTES, batches=batches,
            )  # fmt: skip
        return files, sum(result.rows for result in results)

    def outcome(self, files: list[dict[str, Any]], rows: int, size: int) -> ledger.Outcome:
        return ledger.Outcome(
            rows=rows, bytes=size, files=files, path=self.path, manifest=self.base,
            processed_on=self.processed_on, data_cutoff=self.data_cutoff,
        )  # fmt: skip


def export_hour(
    run: ExportRun,
    integration: Integration,
    conn: Connection,
    hand_out: Callable[[list[int]], None],
) -> ledger.Outcome | None:
    """Seed 004: stale -processing → -failed; manifest -processing; data; .json or -failed.

    None when the hour went into slices and another worker finished the last of them (it
    publishes the hour and records the run)."""
    finished = finished_attempt(run, integration, conn)
    if finished is not None:
        return finished
    began_at = timezone.now()
    # The file holds exactly the events received before the cutoff; later ones are late events
    # and make a new generation (schedule.reprocess_late_events), never silently part of this.
    processed_on, data_cutoff = ledger.processing_time(run), clock.now()
    ledger.record_attempt(run, processed_on, data_cutoff)
    hour = Hour(run, integration, processed_on, data_cutoff)
    live = ledger.live_attempts(integration.pk)
    for manifest_path in integration.manifest_paths:
        manifests.fail_stale(conn, manifest_path, integration.feed, hour.seat, live)
    with manifests.attempt(conn, hour.base, hour.document([])) as manifest:
        pieces = slices.plan(run, integration, data_cutoff, began_at)
        if pieces:
            manifest.shared = partial(slices.goes_on, run)
            hand_out(pieces)  # other workers join in; this one takes slices too
            return work_through(hour, conn, manifest)
        files, rows = hour.write(conn, run.window_start, run.window_end, Progress(run.pk))
        # Fencing: only the owner may publish the hour (a worker that lost its lease stops here
        # and its -processing manifest becomes -failed).
        ledger.extend_lease(run)
        manifest.publish(hour.document(files))
    return hour.outcome(files, rows, sum(f["bytes"] for f in files))


def work_through(
    hour: Hour, conn: Connection, manifest: manifests.Attempt, first: ExportSlice | None = None
) -> ledger.Outcome | None:
    """Export slices of the hour's attempt, `first` and then any other no worker is on, until
    none is left; the outcome when this worker finished the last one and published the hour."""
    piece = first or slices.claim_next(hour.run)
    while piece is not None:
        try:
            if _export_slice(hour, conn, piece):
                return _publish(hour, conn, manifest)
        except slices.SliceLost:
            # Our lease ran out (a request hung) and another worker has the slice: it goes on.
            logger.warning("slice %s of run %s was taken over", piece.number, hour.run.pk)
        except Exception:
            slices.fail(piece)
            raise
        piece = slices.claim_next(hour.run)
    return None


def _export_slice(hour: Hour, conn: Connection, piece: ExportSlice) -> bool:
    """One slice's parts; True when it was the last of the attempt."""
    for file in slices.restart(piece):  # a worker that held it before died mid-slice
        # Announced before its upload: it may never have reached the bucket.
        with contextlib.suppress(DestinationError):
            conn.delete(join_key(hour.path, file["name"]))
    progress = Progress(hour.run.pk, report=partial(slices.report_rows, piece))
    _, rows = hour.write(
        conn, piece.start, piece.end, progress, number=partial(slices.next_part, piece),
        announce=partial(slices.record_part, piece), holds=partial(slices.holds, piece),
    )  # fmt: skip
    return slices.finish(piece, rows)


def _publish(hour: Hour, conn: Connection, manifest: manifests.Attempt) -> ledger.Outcome:
    """Every slice done: the final manifest lists all their parts, slice after slice."""
    files, rows, size = slices.files_of(hour.run)
    _sweep(hour, conn, {f["name"] for f in files})
    ledger.extend_lease(hour.run)  # fencing, as for an hour written by one worker
    manifest.publish(hour.document(files))
    return hour.outcome(files, rows, size)


def _sweep(hour: Hour, conn: Connection, listed: set[str]) -> None:
    """Before the hour is published, its folder holds only the parts its manifest lists: a part
    of this seat the manifest does not list is a worker's that lost its slice while uploading
    it (a dead one cannot remove it). Other seats' files are never touched: seats may share a
    resolved Feed path (seed 004's uniqueness rules)."""
    folder = join_key(hour.path) + "/"
    ours = re.compile(rf"^{hour.seat}-\d+-[0-9a-f]{{32}}-{hour.seat}$")
    for info in conn.list_objects(folder):
        name = info.key.removeprefix(folder)
        if ours.match(name) and name not in listed:
            logger.warning("run %s: deleting %s, in no slice's files", hour.run.pk, info.key)
            conn.delete(info.key)


def continue_hour(
    piece: ExportSlice, run: ExportRun, integration: Integration, conn: Connection
) -> ledger.Outcome | None:
    """A worker that claimed a slice of an hour another worker began: it exports that slice and
    any other left, and publishes the hour if it finishes the last one."""
    if run.processed_on is None or run.data_cutoff is None:  # recorded before slicing
        raise RuntimeError(f"run {run.pk} has slices but no attempt recorded")
    hour = Hour(run, integration, run.processed_on, run.data_cutoff)
    with manifests.continued(conn, hour.base) as manifest:
        manifest.shared = partial(slices.goes_on, run)
        return work_through(hour, conn, manifest, piece)
