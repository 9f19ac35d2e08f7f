"""Verify against the GCS emulator; permission answers come from a fault-injecting proxy."""

from __future__ import annotations

import json
import urllib.request
import uuid

import pytest

from exporthub.tenancy.models import Tenant
from integrations.destinations.gcs import connection as gcs_module
from integrations.models import Integration, State
from tests.support.credentials import service_account_key
from tests.support.standins import GCSStandIn

from .conftest import make_integration
from .verify_helpers import failed_step, verify

pytestmark = pytest.mark.django_db


def _bucket(gcs: GCSStandIn) -> str:
    name = f"verify-{uuid.uuid4().hex[:12]}"
    request = urllib.request.Request(
        f"{gcs.direct}/storage/v1/b?project=test", data=json.dumps({"name": name}).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )  # fmt: skip
    urllib.request.urlopen(request, timeout=10).close()
    return name


def _objects(gcs: GCSStandIn, bucket: str) -> list[str]:
    with urllib.request.urlopen(f"{gcs.direct}/storage/v1/b/{bucket}/o", timeout=10) as answer:
        return [item["name"] for item in json.load(answer).get("items", [])]


def _integration(gcs: GCSStandIn, tenant: Tenant, feed: str, bucket: str) -> Integration:
    # The key's token_uri points at a local stub: no call ever reaches Google.
    key = service_account_key(token_uri=gcs.token_uri)
    return make_integration(tenant, "gcs", feed, bucket=bucket, service_account_key=key)


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_passes_activates_and_cleans_up(gcs_env: GCSStandIn, tenant: Tenant, feed: str) -> None:
    bucket = _bucket(gcs_env)
    integration = _integration(gcs_env, tenant, feed, bucket)
    verification = verify(integration)
    assert verification.state == "passed", failed_step(verification)
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    assert _objects(gcs_env, bucket) == []
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
    integration = _integration(gcs_env, tenant, "standard_feed", _bucket(gcs_env))
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = status, reason, 100
    step = failed_step(verify(integration))
    assert (step["name"], step["code"], step["permanent"]) == ("Bucket reachable", reason, True)
    assert hint in step["hint"]


@pytest.mark.parametrize(("status", "reason"), [(429, "rateLimitExceeded"), (503, "backendError")])
def test_it_treats_throttling_and_outages_as_temporary(
    gcs_env: GCSStandIn, tenant: Tenant, status: int, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gcs_module, "RETRY_SECONDS", 1.0)
    integration = _integration(gcs_env, tenant, "clicks", _bucket(gcs_env))
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
    integration = _integration(gcs_env, tenant, "clicks", _bucket(gcs_env))
    gcs_env.faults.status, gcs_env.faults.reason, gcs_env.faults.count = 503, "backendError", 1
    assert verify(integration).state == "passed"
