"""Confused deputy on GCS: the page told a tenant to grant a member per seat, but ExportHub
connected with the operator's own credentials, so the granted member was never the identity
used and any tenant could write into a bucket that granted the operator. Now ExportHub
impersonates the seat's service account (IAM Credentials API stand-in) and the stand-in's
proxy admits only the service accounts granted on each bucket, as Google's IAM would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.gcs.standin import gcs_bucket
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db
MEMBER = "exporthub-seat-{seat_id}@exporthub-ops.iam.gserviceaccount.com"


@pytest.fixture
def platform(
    gcs_env: GCSStandIn, settings: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> GCSStandIn:
    settings.GCS_PLATFORM_SERVICE_ACCOUNT = MEMBER
    settings.GCS_IAM_CREDENTIALS_ENDPOINT = gcs_env.iam_endpoint
    operator = tmp_path / "operator-key.json"  # the operator's own account, not a tenant's
    operator.write_text(service_account_key(email="ops@exporthub-ops.iam.gserviceaccount.com",
                                            token_uri=gcs_env.token_uri))  # fmt: skip
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(operator))
    return gcs_env


def _on(tenant: Tenant, bucket: str) -> Integration:
    integration = make_integration(tenant, "gcs", "standard_feed", bucket=bucket, name=bucket,
                                   auth_mode="platform", service_account_key="")  # fmt: skip
    assert isinstance(integration, Integration), integration
    return integration


def test_another_tenant_cannot_export_into_a_bucket_granted_to_this_tenants_seat(
    platform: GCSStandIn, tenant: Tenant, other_tenant: Tenant
) -> None:
    acme, globex = gcs_bucket(platform), gcs_bucket(platform)
    platform.faults.grants[acme] = {MEMBER.format(seat_id=tenant.seat_id)}
    platform.faults.grants[globex] = {MEMBER.format(seat_id=other_tenant.seat_id)}
    assert verify(_on(tenant, acme)).state == "passed"
    assert verify(_on(other_tenant, globex)).state == "passed"
    step = failed_step(verify(_on(other_tenant, acme)))
    assert (step["code"], step["permanent"]) == ("forbidden", True)
    assert "Grant the service account" in step["hint"]


def test_the_member_to_grant_is_the_seats_own_and_the_one_exporthub_acts_as(
    platform: GCSStandIn, tenant: Tenant, admin_client: Client
) -> None:
    bucket = gcs_bucket(platform)
    platform.faults.grants[bucket] = {MEMBER.format(seat_id=tenant.seat_id)}
    integration = _on(tenant, bucket)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert MEMBER.format(seat_id=tenant.seat_id) in page
    assert verify(integration).state == "passed"


def test_a_service_account_shared_by_every_seat_is_not_offered(
    tenant: Tenant, settings: Any
) -> None:
    settings.GCS_PLATFORM_SERVICE_ACCOUNT = "exporthub@exporthub-ops.iam.gserviceaccount.com"
    errors = make_integration(tenant, "gcs", "standard_feed", auth_mode="platform",
                              service_account_key="")  # fmt: skip
    assert "auth_mode" in errors
