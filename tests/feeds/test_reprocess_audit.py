"""Every way of asking for a reprocessing leaves an audit entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import AuditEntry, Tenant
from feeds.models import ExportRun
from feeds.runs import clock
from feeds.runs.on_demand.reprocessing import request_reprocessing
from tests.support.exports import active

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


def test_a_reprocessing_request_is_audited(tenant: Tenant) -> None:
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket="not-contacted")
    ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(hours=1),
        status=ExportRun.Status.SUCCEEDED,
    )  # fmt: skip
    with clock.simulated(HOUR + timedelta(hours=2)):
        run = request_reprocessing(
            integration, datetime(2026, 11, 22, 10, 30, tzinfo=UTC), Actor(label="someone")
        )
    entry = AuditEntry.objects.get(action="integration.reprocess_requested")
    assert (entry.actor_label, entry.target_id) == ("someone", str(integration.pk))
    assert entry.changes == {"window_start": run.window_start.isoformat()}
    assert (run.window_start, run.generation) == (HOUR, 1)
