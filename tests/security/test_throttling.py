"""Throttles per API key and per tenant on ingestion and the write endpoints (429 with
Retry-After), and a per-tenant cap on queued reprocessing and backfills (issue 32: 40 ingest POSTs
in 0.4 s were all accepted)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import Backfill, ExportRun
from feeds.runs import clock
from integrations.models import Integration
from tests.feeds.export_helpers import active
from tests.integrations.conftest import api_client, make_integration
from tests.support.events import click as _click

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
AVRO = {"format": "avro", "compression": "DEFLATE"}


def _key(tenant: Tenant, name: str = "ci") -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, name)[1])


def _ingest(api: Client) -> Any:
    return api.post(
        "/api/v1/events/clicks", json.dumps([_click()]), content_type="application/json"
    )


def _throttled(answer: Any) -> bool:
    return answer.status_code == 429 and int(answer["Retry-After"]) > 0


def test_the_41st_ingest_post_in_a_minute_answers_429_with_retry_after(
    tenant: Tenant, settings: Any
) -> None:
    settings.THROTTLE_INGEST_RATE = "40/min"
    api = _key(tenant)
    assert [_ingest(api).status_code for _ in range(40)] == [202] * 40
    assert _throttled(_ingest(api))
    assert _ingest(_key(tenant, "another key")).status_code == 202  # per key


def test_a_tenants_keys_share_its_limit_and_another_tenant_is_not_slowed(
    tenant: Tenant, other_tenant: Tenant, settings: Any
) -> None:
    settings.THROTTLE_TENANT_INGEST_RATE = "40/min"
    first, second, neighbour = _key(tenant, "a"), _key(tenant, "b"), _key(other_tenant)
    assert {_ingest(api).status_code for api in [first, second] * 20} == {202}
    assert _throttled(_ingest(first)) and _throttled(_ingest(second))
    assert [_ingest(neighbour).status_code for _ in range(40)] == [202] * 40


def test_the_write_endpoints_answer_429_past_their_limit(tenant: Tenant, settings: Any) -> None:
    settings.THROTTLE_WRITE_RATE = "2/min"
    integration = make_integration(tenant, "s3", "clicks", bucket="not-contacted")
    api = _key(tenant)
    verify = f"/api/v1/integrations/{integration.pk}/verify"
    assert api.post(verify).status_code == 202
    backfill = f"/api/v1/integrations/{integration.pk}/backfill"
    assert api.post(backfill, {}, content_type="application/json").status_code == 400
    for refused in (
        api.post(verify),
        api.post(backfill, {}, content_type="application/json"),
        api.post(f"/api/v1/integrations/{integration.pk}/reprocess", {},
                 content_type="application/json"),
    ):  # fmt: skip
        assert _throttled(refused)
    assert api.get(f"/api/v1/integrations/{integration.pk}").status_code == 200  # reads are not


def test_the_pages_write_actions_answer_429_past_their_limit(
    tenant: Tenant, admin_client: Client, settings: Any
) -> None:
    settings.THROTTLE_WRITE_RATE = "1/min"
    integration = make_integration(tenant, "s3", "clicks", bucket="not-contacted")
    base = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    assert admin_client.post(base + "verify/").status_code == 302
    for action in ("verify/", "backfill/", "reprocess/"):
        answer = admin_client.post(base + action, {"start": "", "end": "", "hour": ""})
        assert _throttled(answer), action
        assert "Too many requests" in answer.content.decode()


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


def _ask(api: Client, integration: Integration, action: str, **body: str) -> Any:
    url = f"/api/v1/integrations/{integration.pk}/{action}"
    return api.post(url, body, content_type="application/json")


def test_a_tenant_cannot_queue_more_backfills_and_reprocessing_than_the_cap(
    tenant: Tenant, other_tenant: Tenant, exported: list[Integration], admin_client: Client,
    settings: Any,
) -> None:  # fmt: skip
    settings.MAX_QUEUED_RUNS_PER_TENANT = 2
    api = _key(tenant)
    one, two, three = exported
    hour = {"start": "2026-11-22T10:00Z", "end": "2026-11-22T11:00Z"}
    assert _ask(api, one, "backfill", **hour).status_code == 202
    assert _ask(api, two, "reprocess", hour="2026-11-22T11:00Z").status_code == 202
    full = _ask(api, three, "backfill", **hour)
    assert _throttled(full) and "2 backfills and reprocessings" in full.json()["detail"]
    assert _throttled(_ask(api, three, "reprocess", hour="2026-11-22T11:00Z"))
    page = admin_client.post(
        f"/t/{tenant.slug}/integrations/{three.pk}/backfill/",
        {"start": "2026-11-22T10:00", "end": "2026-11-22T11:00"}, follow=True,
    )  # fmt: skip
    assert "Not backfilled: 2 backfills and reprocessings" in page.content.decode()
    assert Backfill.objects.filter(integration=three).count() == 0
    assert not ExportRun.objects.filter(integration=three, generation__gt=0).exists()
    # The other tenant's queue is its own.
    neighbour = active(other_tenant, "s3", "standard_feed", T0, bucket="neighbour", **AVRO)
    ExportRun.objects.create(
        integration=neighbour, window_start=T0, window_end=T0 + timedelta(hours=1),
        status=ExportRun.Status.SUCCEEDED,
    )  # fmt: skip
    assert _ask(_key(other_tenant), neighbour, "backfill", **hour).status_code == 202
