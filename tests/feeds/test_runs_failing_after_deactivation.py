"""A run in flight when its integration is deactivated fails after the hold: it queues no
Verify of the deactivated integration, and is retried at once when a new Verify reactivates it,
as the runs held at the deactivation are (seed 004, "Failures and export deactivation")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs import clock, ledger
from feeds.runs.failures import handle_destination_error
from feeds.runs.schedule import schedule
from integrations.destinations.base import DestinationError
from integrations.lifecycle.state import activate, deactivate
from integrations.models import Integration, Verification
from tests.support.exports import active

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=16)
DENIED = DestinationError("AccessDenied", "Access Denied", permanent=True)


def _in_flight_when_deactivated(tenant: Tenant) -> tuple[ExportRun, Integration]:
    integration = active(tenant, "s3", "clicks", T0, bucket="not-contacted")
    with clock.simulated(NOW):
        schedule(NOW)
        run = ledger.claim(ExportRun.objects.get(integration=integration).pk)
    assert run is not None
    # The Verify queued by an earlier failure deactivates it while this run is on a worker.
    assert deactivate(Integration.objects.get(pk=integration.pk), Actor(label="verify"), "s3")
    return run, integration


def test_a_run_failing_after_the_deactivation_queues_no_verify_of_it(tenant: Tenant) -> None:
    run, integration = _in_flight_when_deactivated(tenant)
    with clock.simulated(NOW):
        handle_destination_error(run, integration, DENIED)
    assert not Verification.objects.filter(integration=integration).exists()
    assert ExportRun.objects.get(pk=run.pk).status == ExportRun.Status.FAILED


def test_a_run_failing_after_the_deactivation_is_retried_at_once_after_the_re_verify(
    tenant: Tenant,
) -> None:
    run, integration = _in_flight_when_deactivated(tenant)
    with clock.simulated(NOW):
        handle_destination_error(run, integration, DENIED)
    assert ExportRun.objects.get(pk=run.pk).next_attempt_at is not None  # a backoff
    assert activate(Integration.objects.get(pk=integration.pk), Actor(label="admin"))
    with clock.simulated(NOW + timedelta(seconds=1)):
        assert run.pk in schedule(NOW + timedelta(seconds=1))
    assert ExportRun.objects.get(pk=run.pk).next_attempt_at is None
