"""Every way of asking for a reprocessing leaves an audit entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import AuditEntry, Tenant
from feeds.schedule import request_reprocessing
from tests.integrations.conftest import make_integration

pytestmark = pytest.mark.django_db


def test_a_reprocessing_request_is_audited(tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "standard_feed")
    run = request_reprocessing(
        integration, datetime(2026, 11, 22, 10, 30, tzinfo=UTC), Actor(label="someone")
    )
    entry = AuditEntry.objects.get(action="integration.reprocess_requested")
    assert (entry.actor_label, entry.target_id) == ("someone", str(integration.pk))
    assert entry.changes == {"window_start": run.window_start.isoformat()}
    assert run.window_start == datetime(2026, 11, 22, 10, tzinfo=UTC)
