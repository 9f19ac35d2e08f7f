"""A tenant's Verifies beyond VERIFY_CONCURRENCY_PER_TENANT wait their turn without holding a
worker; another tenant's Verify does not wait behind them (issue 32)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations import tasks
from integrations.models import Integration, Verification
from integrations.verify.runs import start_verification
from tests.support.integrations import make_integration

pytestmark = pytest.mark.django_db


def _integration(s3_env: str, tenant: Tenant) -> Integration:
    bucket = f"bulkheads-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3", endpoint_url=s3_env, region_name="us-west-2", aws_access_key_id="x",
        aws_secret_access_key="x", config=Config(s3={"addressing_style": "path"}),
    )  # fmt: skip
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    return make_integration(tenant, "s3", "standard_feed", bucket=bucket)


def _queued(integration: Integration) -> Verification:
    verification, created = start_verification(integration, Actor.system(), enqueue=False)
    assert created
    return verification


@pytest.fixture
def requeued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """What the task queued again: (args, options), as the broker would have received them."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    task = tasks.verify_integration
    monkeypatch.setattr(task, "apply_async", lambda args, **options: calls.append((args, options)))
    return calls


def test_a_tenant_at_its_cap_waits_and_another_tenants_verify_runs(
    s3_env: str,
    tenant: Tenant,
    other_tenant: Tenant,
    settings: Any,
    requeued: list[tuple[Any, dict[str, Any]]],
) -> None:
    settings.VERIFY_CONCURRENCY_PER_TENANT = 2
    # Two of the tenant's Verifies are in flight on other workers (a destination that drips).
    in_flight = [slots.take(tenant.pk, queues.VERIFY, 2) for _ in range(2)]
    assert all(in_flight)
    waiting = _queued(_integration(s3_env, tenant))
    assert tasks.verify_integration(waiting.pk) == "waiting"
    waiting.refresh_from_db()
    assert waiting.state == Verification.Result.RUNNING and waiting.steps == []
    [(args, options)] = requeued  # not dropped: queued again for later
    assert args == (waiting.pk,) and options["countdown"] > 0

    other = _queued(_integration(s3_env, other_tenant))
    assert tasks.verify_integration(other.pk) == Verification.Result.PASSED

    slots.give_back(str(in_flight[0]))
    assert tasks.verify_integration(waiting.pk) == Verification.Result.PASSED
    assert slots.take(tenant.pk, queues.VERIFY, 2) is not None  # its place was given back


def test_a_place_held_by_a_killed_worker_is_free_after_the_class_limit(
    tenant: Tenant, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    assert slots.take(tenant.pk, queues.VERIFY, 1) is not None  # its worker is killed
    assert slots.take(tenant.pk, queues.VERIFY, 1) is None
    later = timezone.now() + queues.hard_limit(queues.VERIFY) + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert slots.take(tenant.pk, queues.VERIFY, 1) is not None


def test_places_are_counted_per_tenant_and_per_class(tenant: Tenant, other_tenant: Tenant) -> None:
    assert slots.take(tenant.pk, queues.VERIFY, 1) is not None
    assert slots.take(tenant.pk, queues.VERIFY, 1) is None
    assert slots.take(other_tenant.pk, queues.VERIFY, 1) is not None
    assert slots.take(tenant.pk, queues.NOTIFICATIONS, 1) is not None
    assert slots.take(tenant.pk, queues.VERIFY, 2) is not None  # a raised cap: one more place
