"""Exports: the schedule, the run ledger, one run from claim to manifest, recovery, reprocessing,
failures, the archive, and every read of events for an export."""
