"""Classifying a failed export (seed 004, "Failures and export deactivation").

Transient errors are retried with backoff. A permission or configuration error queues a Verify,
as the Verify button does: a Verify worker runs its checks within the tenant's Verify places,
never this export worker. If they fail too, the integration is deactivated (one email, by
`deactivate`) and its runs wait for its return (feeds.receivers); if they pass, the error was
transient and the run is retried after its backoff. A run failing once its integration is
deactivated queues no Verify: it waits for the Admin's re-Verify, and is retried at once then.
"""

from __future__ import annotations

from typing import Any

from exporthub.tenancy.auditlog import Actor
from integrations.destinations.base import DestinationError
from integrations.models import Integration, State
from integrations.verify.runs import start_verification

from ..models import ExportRun
from . import ledger


def handle_destination_error(
    run: ExportRun, integration: Integration, error: DestinationError, **fields: Any
) -> None:
    ledger.fail(run, error.code, error.message, retry=True, **fields)
    if not error.permanent:
        return
    # Deactivated while this run was in flight: a Verify already failed, the Admin's re-Verify
    # is what comes next, and the run is retried at once then (feeds.receivers).
    if not Integration.objects.filter(pk=integration.pk, state=State.ACTIVE).exists():
        return
    # One Verify at a time per integration: a running one answers for this failure too.
    start_verification(integration, Actor(label="export failure"))
