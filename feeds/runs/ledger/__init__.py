"""The run ledger: every write of an export run goes through this package (one door, STYLE 12).

`attempts` claims a run, holds its lease, records its attempt, a sliced hour's part numbers and
its end; `slices` creates a sliced hour's slices, claims them and records their parts, rows and
end; `creating` adds runs (the schedule's windows, new generations, a backfill's) and hands
them out; `new_runs` inserts many at once."""

from __future__ import annotations

from .attempts import (
    MAX_BACKOFF,
    LeaseLost,
    Outcome,
    Status,
    allot_part,
    backoff,
    begin_attempt,
    claim,
    claimable,
    extend_lease,
    fail,
    hold,
    in_attempt,
    in_slices,
    lease,
    live_attempts,
    lock_attempt,
    owned,
    processing_time,
    record_attempt,
    record_destination,
    record_filters,
    release,
    renew_attempt,
    report_hour_rows,
    report_run_rows,
    reset_parts,
    succeed,
)
from .creating import (
    add_generations,
    add_next_generation,
    assign_backfill,
    create_runs,
    mark_enqueued,
    revive,
    skip_older_than,
)
from .new_runs import NewRun

__all__ = [
    "MAX_BACKOFF",
    "LeaseLost",
    "NewRun",
    "Outcome",
    "Status",
    "add_generations",
    "add_next_generation",
    "allot_part",
    "assign_backfill",
    "backoff",
    "begin_attempt",
    "claim",
    "claimable",
    "create_runs",
    "extend_lease",
    "fail",
    "hold",
    "in_attempt",
    "in_slices",
    "lease",
    "live_attempts",
    "lock_attempt",
    "mark_enqueued",
    "owned",
    "processing_time",
    "record_attempt",
    "record_destination",
    "record_filters",
    "release",
    "renew_attempt",
    "report_hour_rows",
    "report_run_rows",
    "reset_parts",
    "revive",
    "skip_older_than",
    "succeed",
]
