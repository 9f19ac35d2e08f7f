"""What happens to exports, for apps above this one to act on (the webhooks app)."""

from __future__ import annotations

from django.dispatch import Signal

# run, integration, outcome (ledger.Outcome): a window's or hour's files and manifest are in
# the bucket and the run is recorded as succeeded.
window_delivered = Signal()
# run, integration, code, message: a run failed its WEBHOOK_RUN_FAILED_ATTEMPTS-th attempt.
run_failed = Signal()
