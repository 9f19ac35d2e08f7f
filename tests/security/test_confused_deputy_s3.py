"""Confused deputy: tenant B creates an integration on the bucket tenant A granted to ExportHub.
With a principal shared by every tenant it passed Verify and exported into A's bucket; now the
bucket-policy mode acts as a role of the tenant's own seat, which A's grant does not name.

The IAM-enforcing moto stand-in evaluates identity policies but not bucket policies, so A's
grant to its seat role stands here as that role's own policy on A's bucket (and B's seat role
is granted B's bucket only): the property under test is which identity ExportHub acts as."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.integrations.destinations.s3.iam_world import (
    ACCOUNT,
    IamWorld,
    acting_as_platform,
    grant_seat_role,
)
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(iam_env: IamWorld, settings: Any, monkeypatch: pytest.MonkeyPatch) -> IamWorld:
    return acting_as_platform(iam_env, settings, monkeypatch)


def _on(tenant: Tenant, bucket: str) -> Integration:
    integration = make_integration(
        tenant, "s3", "standard_feed", bucket=bucket, region="us-east-1", auth_mode="platform",
        access_key="", secret_key="",
    )  # fmt: skip
    assert isinstance(integration, Integration), integration
    return integration


def test_another_tenant_cannot_export_into_a_bucket_granted_to_this_tenants_seat(
    platform: IamWorld, tenant: Tenant, other_tenant: Tenant
) -> None:
    grant_seat_role(platform, tenant.seat_id, platform.bucket)
    grant_seat_role(platform, other_tenant.seat_id, "globex-own-bucket")
    assert verify(_on(tenant, platform.bucket)).state == "passed"
    step = failed_step(verify(_on(other_tenant, platform.bucket)))
    assert (step["name"], step["code"]) == ("Bucket reachable", "AccessDenied")
    assert step["permanent"] is True and "policy" in step["hint"]


def test_the_suggested_bucket_policy_names_the_seats_own_role(
    platform: IamWorld, tenant: Tenant, admin_client: Client
) -> None:
    integration = _on(tenant, platform.bucket)
    page = admin_client.get(f"/t/{tenant.slug}/integrations/{integration.pk}/").content.decode()
    assert f"arn:aws:iam::{ACCOUNT}:role/exporthub-seat-{tenant.seat_id}" in page
    assert f"arn:aws:iam::{ACCOUNT}:user/platform" not in page


def test_without_per_seat_roles_the_bucket_policy_mode_is_not_offered(
    tenant: Tenant, settings: Any
) -> None:
    settings.S3_PLATFORM_PRINCIPAL_ARN = f"arn:aws:iam::{ACCOUNT}:user/platform"
    settings.S3_SEAT_ROLE_ARN = ""
    errors = make_integration(tenant, "s3", "standard_feed", auth_mode="platform",
                              access_key="", secret_key="")  # fmt: skip
    assert "auth_mode" in errors
