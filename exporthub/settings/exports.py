"""Export runs: part sizes, leases and retries, slices, and how long events are kept."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .core import env

# Log-level data files are split into parts of about this size.
EXPORT_PART_BYTES = env.int("EXPORT_PART_BYTES", default=256 * 1024 * 1024)
# A worker owns a run this long without news (renewed after every uploaded part); a run whose
# worker died is taken over after it. Failed runs retry after 30 s, 1 min, 2 min … up to 1 h.
# It must outlast one storage request with all its retries (~6½ min by default; docs/exports.md).
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=15 * 60)
EXPORT_RETRY_BASE_SECONDS = env.float("EXPORT_RETRY_BASE_SECONDS", default=30.0)
# A log-level hour with more rows than this is split into slices of about this many rows, which
# several workers export at once (docs/scaling.md); 0 never splits.
EXPORT_SLICE_ROWS = env.int("EXPORT_SLICE_ROWS", default=1_000_000)
if EXPORT_SLICE_ROWS < 0:
    raise ImproperlyConfigured("EXPORT_SLICE_ROWS must be 0 (never split) or a row count.")
# Snapshots of an Iceberg table (format `iceberg`) older than this are expired daily and the
# files only they referenced removed (feeds.iceberg.maintenance); the current one always stays.
ICEBERG_SNAPSHOT_RETENTION_DAYS = env.float("ICEBERG_SNAPSHOT_RETENTION_DAYS", default=7.0)
if ICEBERG_SNAPSHOT_RETENTION_DAYS < 0:
    raise ImproperlyConfigured("ICEBERG_SNAPSHOT_RETENTION_DAYS cannot be negative.")
# How far back events are kept, so how far back an Admin's backfill may reach (docs/exports.md,
# "Backfill"). Never less than the 3-day backfill after a re-Verify plus a day in which late
# events still reprocess its oldest hour.
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=7)
MIN_EVENT_RETENTION_DAYS = 4
if EVENT_RETENTION_DAYS < MIN_EVENT_RETENTION_DAYS:
    raise ImproperlyConfigured(
        f"EVENT_RETENTION_DAYS is {EVENT_RETENTION_DAYS}; it must be at least "
        f"{MIN_EVENT_RETENTION_DAYS} (the 3-day backfill limit plus a day of late events)."
    )
