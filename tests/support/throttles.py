"""The throttles and the queued-runs cap as the security tests press on them: an Admin's API
client, what a throttled answer is, a write action asked of the API, and a tenant with exported
hours to reprocess and backfill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from feeds.runs import clock
from integrations.models import Integration
from tests.support.exports import active
from tests.support.integrations import api_client

T0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def admin_key(tenant: Tenant, name: str = "ci") -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, name)[1])


def throttled(answer: Any) -> bool:
    return answer.status_code == 429 and int(answer["Retry-After"]) > 0


@pytest.fixture
def exported(tenant: Tenant) -> Iterator[list[Integration]]:
    """Three log-level exports with hours 10:00 to 12:00 of 2026-11-22 exported; it is 14:05."""
    found = []
    for n in range(3):
        integration = active(
            tenant, "s3", "standard_feed", T0, bucket=f"bucket-{n}", name=f"Hours {n}", **AVRO
        )
        for hour in range(3):
            ExportRun.objects.create(
                integration=integration, window_start=T0 + timedelta(hours=hour),
                window_end=T0 + timedelta(hours=hour + 1), status=ExportRun.Status.SUCCEEDED,
            )  # fmt: skip
        found.append(integration)
    with clock.simulated(T0 + timedelta(hours=4, minutes=5)):
        yield found


def ask(api: Client, integration: Integration, action: str, **body: str) -> Any:
    url = f"/api/v1/integrations/{integration.pk}/{action}"
    return api.post(url, body, content_type="application/json")
