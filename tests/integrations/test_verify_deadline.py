"""A destination that drips its answers a byte at a time cannot hold a Verify (and the worker
running it) past VERIFY_DEADLINE_SECONDS, on any cloud: the step it reached fails as transient."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from integrations.models import Integration, Verification
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.support.hostile import hostile_server
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db
DEADLINE = 2.0


def _s3(tenant: Tenant, tarpit_url: str, monkeypatch: pytest.MonkeyPatch) -> Integration:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", tarpit_url)
    return make_integration(tenant, "s3", "standard_feed")


def test_a_dripping_s3_endpoint_ends_verify_at_its_deadline_as_transient(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.VERIFY_DEADLINE_SECONDS = DEADLINE
    with hostile_server("drip", interval=0.3, drip_for=20) as tarpit:
        integration = _s3(tenant, f"http://127.0.0.1:{tarpit.port}", monkeypatch)
        began = time.monotonic()
        verification = verify(integration)
        took = time.monotonic() - began
    _ended_by_the_deadline(verification, took, "Bucket reachable")
    assert tarpit.sent > 0


def test_a_dripping_gcs_endpoint_ends_verify_at_its_deadline_as_transient(
    gcs_env: GCSStandIn, tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.VERIFY_DEADLINE_SECONDS = DEADLINE
    key = service_account_key(token_uri=gcs_env.token_uri)
    integration = make_integration(tenant, "gcs", "clicks", service_account_key=key)
    with hostile_server("drip", interval=0.3, drip_for=20) as tarpit:
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{tarpit.port}")
        began = time.monotonic()
        verification = verify(integration)
        took = time.monotonic() - began
    _ended_by_the_deadline(verification, took, "Bucket reachable")


def test_a_dripping_azure_endpoint_ends_verify_at_its_deadline_as_transient(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.VERIFY_DEADLINE_SECONDS = DEADLINE
    with hostile_server("drip", tmp_path, interval=0.3, drip_for=20) as tarpit:
        settings.AZURE_BLOB_ENDPOINT = f"https://127.0.0.1:{tarpit.port}/{{account}}"
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        integration = make_integration(tenant, "azure", "clicks")
        began = time.monotonic()
        verification = verify(integration)
        took = time.monotonic() - began
    _ended_by_the_deadline(verification, took, "Container reachable")


def _ended_by_the_deadline(verification: Verification, took: float, step_name: str) -> None:
    assert verification.state == Verification.Result.FAILED
    step = failed_step(verification)
    assert step["name"] == step_name and step["code"] == "VerifyDeadline", step
    assert step["permanent"] is False and "Verify again" in step["detail"]
    # The deadline, and at most one short connection attempt for the cleanup after it.
    assert took < DEADLINE + 8, f"Verify held its worker {took:.1f} s for a {DEADLINE} s deadline"
