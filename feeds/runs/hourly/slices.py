"""Large log-level hours exported by several workers at once: how an hour is split, and the
slice operations of the ledger (feeds/runs/ledger/slices.py) the hourly protocol uses.

An attempt of an hour holding more than EXPORT_SLICE_ROWS rows (at its data cutoff) is split by
event time into slices of about that many rows, stored with the run. Any worker claims a slice
with a conditional update, as runs are claimed; a slice whose worker went silent past its lease
is claimed again (the tick hands it out), and every claim counts, so the one that lost it is
fenced off. Part numbers come from one counter on the run, so they are unique across slices.
The worker that records the last slice done, deciding under the run's row lock, publishes the
hour; while any slice of the attempt is unfinished, the run's attempt is alive whatever the
run's own lease says (ledger.claimable, ledger.live_attempts).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from integrations.models import Integration

from ...models import ExportRun
from ..hour_counts import count_hour, slice_starts
from ..ledger.slices import (
    SliceLost,
    claim,
    claim_next,
    create,
    fail,
    files_of,
    finish,
    goes_on,
    holds,
    next_part,
    ready,
    record_part,
    report_slice_rows,
    restart,
)

# The protocol and the tick call these by this module's name (slices.claim, …).
__all__ = [
    "SliceLost",
    "claim",
    "claim_next",
    "fail",
    "files_of",
    "finish",
    "goes_on",
    "holds",
    "next_part",
    "plan",
    "ready",
    "record_part",
    "report_slice_rows",
    "restart",
]


def plan(
    run: ExportRun, integration: Integration, data_cutoff: datetime, began_at: datetime
) -> list[int]:
    """Split the attempt's hour into slices, or [] when it is small enough for one worker."""
    size = settings.EXPORT_SLICE_ROWS
    if not size:
        return []
    hour = (integration.feed, integration.tenant_id, run.window_start, run.window_end, data_cutoff)
    kept = run.filters or []
    rows = count_hour(*hour, filters=kept)
    if rows <= size:
        return []
    starts = slice_starts(*hour, rows, size, filters=kept)
    return create(run, [run.window_start, *starts, run.window_end], began_at)
