"""What an ended export attempt tells the rest: the metrics (exporthub.metrics) and the signals
apps above feeds act on (feeds.signals: the webhooks app)."""

from __future__ import annotations

from django.conf import settings

from exporthub.metrics import (
    EXPORT_RUNS,
    EXPORTED_BYTES,
    EXPORTED_ROWS,
    FRESHNESS,
    RUN_DURATION,
)
from integrations.models import Integration

from ..models import ExportRun
from ..signals import run_failed, window_delivered
from . import clock
from .ledger import Outcome


def succeeded(run: ExportRun, integration: Integration, outcome: Outcome, seconds: float) -> None:
    where = {"feed": integration.feed, "destination": integration.destination}
    EXPORT_RUNS.labels(status="succeeded", **where).inc()
    EXPORTED_ROWS.labels(**where).inc(outcome.rows)
    EXPORTED_BYTES.labels(**where).inc(outcome.bytes)
    RUN_DURATION.labels(**where).observe(seconds)
    if run.generation == 0 and run.backfill_id is None:  # nor does a reprocessed or backfilled one
        FRESHNESS.labels(**where).observe((clock.now() - run.window_end).total_seconds())
    window_delivered.send(sender=ExportRun, run=run, integration=integration, outcome=outcome)


def failed(run: ExportRun, integration: Integration) -> None:
    EXPORT_RUNS.labels(
        feed=integration.feed, destination=integration.destination, status="failed"
    ).inc()
    # Once per run, when its failures reach the setting (retries go on after it).
    if run.attempts == settings.WEBHOOK_RUN_FAILED_ATTEMPTS:
        run.refresh_from_db(fields=["status", "error_code", "error_message"])
        if run.status == ExportRun.Status.FAILED:
            run_failed.send(
                sender=ExportRun,
                run=run,
                integration=integration,
                code=run.error_code,
                message=run.error_message,
            )
