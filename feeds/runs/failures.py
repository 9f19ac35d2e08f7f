"""Classifying a failed export (seed 004, "Failures and export deactivation").

Transient errors are retried with backoff. A permission or configuration error runs the Verify
checks: if they fail too, the integration is deactivated (one email, by `deactivate`); if they
pass, the error is treated as transient.
"""

from __future__ import annotations

from typing import Any

from exporthub.tenancy.auditlog import Actor
from integrations.destinations.base import DestinationError
from integrations.models import Integration, State
from integrations.verify.runs import run_verification, start_verification

from ..models import ExportRun
from . import ledger


def handle_destination_error(
    run: ExportRun, integration: Integration, error: DestinationError, **fields: Any
) -> None:
    ledger.fail(run, error.code, error.message, retry=True, **fields)
    if not error.permanent:
        return
    verification, created = start_verification(
        integration, Actor(label="export failure"), enqueue=False
    )
    if created:
        run_verification(verification.pk)
    integration.refresh_from_db(fields=["state"])
    if integration.state == State.DEACTIVATED:
        # Retried once a new Verify reactivates the integration (runs of inactive ones wait).
        ledger.hold(run)
