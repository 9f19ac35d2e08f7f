"""A log-level hour with seed 004's manifest protocol: by one worker, or, when it holds more than
EXPORT_SLICE_ROWS rows, in slices by as many workers as take them (feeds.runs.hourly.slices).

Consumers see the same protocol either way: one -processing manifest before any data file, one
`.json` listing every part once all of them are uploaded, or -failed."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable
from functools import partial

from django.utils import timezone

from integrations.destinations.base import Connection, DestinationError
from integrations.models import Integration
from integrations.paths import join_key

from ...models import ExportRun, ExportSlice
from .. import ledger, manifests
from ..progress import RowCounter
from . import slices
from .hour import Hour
from .recovery import finished_attempt

logger = logging.getLogger(__name__)


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
    processed_on, data_cutoff = ledger.begin_attempt(run)
    hour = Hour(run, integration, processed_on, data_cutoff)
    live = ledger.live_attempts(integration.pk)
    for manifest_path in integration.manifest_paths:
        manifests.fail_stale(conn, manifest_path, integration.feed, hour.seat, live)
    with manifests.attempt(conn, hour.manifest_key, hour.document([])) as manifest:
        pieces = slices.plan(run, integration, data_cutoff, began_at)
        if pieces:
            manifest.shared = partial(slices.goes_on, run)
            hand_out(pieces)  # other workers join in; this one takes slices too
            return work_through(hour, conn, manifest)
        files, rows = hour.write(conn, run.window_start, run.window_end, RowCounter(run.pk))
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
    progress = RowCounter(hour.run.pk, report=partial(slices.report_slice_rows, piece))
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
    with manifests.continued(conn, hour.manifest_key) as manifest:
        manifest.shared = partial(slices.goes_on, run)
        return work_through(hour, conn, manifest, piece)
