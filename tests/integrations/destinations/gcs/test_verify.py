"""Verify against the GCS emulator; permission answers come from a fault-injecting proxy."""

from __future__ import annotations

import pytest

from exporthub.tenancy.models import Tenant
from integrations.destinations.gcs import connection as gcs_module
from integrations.models import Integration, State
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.support.verification import failed_step, verify

from .standin import gcs_bucket, gcs_integration, gcs_objects

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_passes_activates_and_cleans_up(gcs_env: GCSStandIn, tenant: Tenant, feed: str) -> None:
    bucket = gcs_bucket(gcs_env)
    integration = gcs_integration(gcs_env, tenant, feed, bucket)
    verification = verify(integration)
    assert verification.state == "passed", failed_step(verification)
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    assert gcs_objects(gcs_env, bucket) == []
    assert any(call.startswith("POST /upload/storage/v1/b/") for call in gcs_env.faults.seen)


@pytest.mark.parametrize(
    ("status", "reason", "hint"),
    [
        (401, "authError", "create a new key"),
        (403, "forbidden", "Storage Object Admin"),
        (404, "notFound", "check Bucket"),
    ],
)
def test_it_names_permission_and_configuration_failures(
    gcs_env: GCSStandIn, tenant: Tenant, status: int, reason: str, hint: str
) -> None:
    integration = gcs_integration(gcs_env, tenant, "standard_feed", gcs_bucket(gcs_env))
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = status, reason, 100
    step = failed_step(verify(integration))
    assert (step["name"], step["code"], step["permanent"]) == ("Bucket reachable", reason, True)
    assert hint in step["hint"]


@pytest.mark.parametrize(("status", "reason"), [(429, "rateLimitExceeded"), (503, "backendError")])
def test_it_treats_throttling_and_outages_as_temporary(
    gcs_env: GCSStandIn, tenant: Tenant, status: int, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gcs_module, "RETRY_SECONDS", 1.0)
    integration = gcs_integration(gcs_env, tenant, "clicks", gcs_bucket(gcs_env))
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = status, reason, 1000
    step = failed_step(verify(integration))
    assert (step["code"], step["permanent"]) == (reason, False)
    assert "temporary" in step["hint"]
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE  # no deactivation for a transient failure


def test_it_rides_out_a_single_503_with_the_sdks_retries(
    gcs_env: GCSStandIn, tenant: Tenant
) -> None:
    integration = gcs_integration(gcs_env, tenant, "clicks", gcs_bucket(gcs_env))
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = 503, "backendError", 1
    assert verify(integration).state == "passed"
