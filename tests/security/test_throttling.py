"""Throttles per API key and per tenant on ingestion and the write endpoints (429 with
Retry-After), and a per-tenant cap on queued reprocessing and backfills (issue 32: 40 ingest POSTs
in 0.4 s were all accepted)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from feeds.models import Backfill, ExportRun
from integrations.models import Integration
from tests.support.events import click as _click
from tests.support.exports import active
from tests.support.integrations import make_integration
from tests.support.throttles import AVRO, T0, admin_key, ask, exported, throttled

pytestmark = pytest.mark.django_db
__all__ = ["exported"]  # the fixture, used by name


def _ingest(api: Client) -> Any:
    return api.post(
        "/api/v1/events/clicks", json.dumps([_click()]), content_type="application/json"
    )


def test_the_41st_ingest_post_in_a_minute_answers_429_with_retry_after(
    tenant: Tenant, settings: Any
) -> None:
    settings.THROTTLE_INGEST_RATE = "40/min"
    api = admin_key(tenant)
    assert [_ingest(api).status_code for _ in range(40)] == [202] * 40
    assert throttled(_ingest(api))
    assert _ingest(admin_key(tenant, "another key")).status_code == 202  # per key


def test_a_tenants_keys_share_its_limit_and_another_tenant_is_not_slowed(
    tenant: Tenant, other_tenant: Tenant, settings: Any
) -> None:
    settings.THROTTLE_TENANT_INGEST_RATE = "40/min"
    first, second, neighbour = (
        admin_key(tenant, "a"),
        admin_key(tenant, "b"),
        admin_key(other_tenant),
    )
    assert {_ingest(api).status_code for api in [first, second] * 20} == {202}
    assert throttled(_ingest(first)) and throttled(_ingest(second))
    assert [_ingest(neighbour).status_code for _ in range(40)] == [202] * 40


def test_the_write_endpoints_answer_429_past_their_limit(tenant: Tenant, settings: Any) -> None:
    settings.THROTTLE_WRITE_RATE = "2/min"
    integration = make_integration(tenant, "s3", "clicks", bucket="not-contacted")
    api = admin_key(tenant)
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
        assert throttled(refused)
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
        assert throttled(answer), action
        assert "Too many requests" in answer.content.decode()


def test_a_tenant_cannot_queue_more_backfills_and_reprocessing_than_the_cap(
    tenant: Tenant, other_tenant: Tenant, exported: list[Integration], admin_client: Client,
    settings: Any,
) -> None:  # fmt: skip
    settings.MAX_QUEUED_RUNS_PER_TENANT = 2
    api = admin_key(tenant)
    one, two, three = exported
    hour = {"start": "2026-11-22T10:00Z", "end": "2026-11-22T11:00Z"}
    assert ask(api, one, "backfill", **hour).status_code == 202
    assert ask(api, two, "reprocess", hour="2026-11-22T11:00Z").status_code == 202
    full = ask(api, three, "backfill", **hour)
    assert throttled(full) and "2 backfills and reprocessings" in full.json()["detail"]
    assert throttled(ask(api, three, "reprocess", hour="2026-11-22T11:00Z"))
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
    assert ask(admin_key(other_tenant), neighbour, "backfill", **hour).status_code == 202
