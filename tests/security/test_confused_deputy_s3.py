"""Confused deputy: tenant B creates an integration on the bucket tenant A granted to ExportHub.
With a principal shared by every tenant it passed Verify and exported into A's bucket; now the
bucket-policy mode acts as a role of the tenant's own seat, which A's grant does not name.

The IAM-enforcing moto stand-in evaluates identity policies but not bucket policies, so A's
grant to its seat role stands here as that role's own policy on A's bucket (and B's seat role
is granted B's bucket only): the property under test is which identity ExportHub acts as."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from integrations.destinations.s3.policy import permission_statements
from integrations.models import Integration
from tests.integrations.conftest import FEED_FIELDS, make_integration
from tests.integrations.verify_helpers import failed_step, verify
from tests.support.iam_world import IamWorld, client

pytestmark = pytest.mark.django_db
ACCOUNT = "123456789012"  # moto's


def _grant(world: IamWorld, seat: int, bucket: str) -> None:
    """As the operator provisions it: one role per seat, trusting the platform user."""
    admin = client(world.url, "iam", *world.users["admin"])
    name = f"exporthub-seat-{seat}"
    trust = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    config = {"bucket": bucket, "region": "us-east-1", **FEED_FIELDS["standard_feed"]}
    document = {
        "Version": "2012-10-17",
        "Statement": permission_statements(config, "standard_feed"),
    }
    with contextlib.suppress(admin.exceptions.EntityAlreadyExistsException):
        admin.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [trust]}))  # fmt: skip
    admin.put_role_policy(RoleName=name, PolicyName="grant", PolicyDocument=json.dumps(document))


@pytest.fixture
def platform(iam_env: IamWorld, settings: Any, monkeypatch: pytest.MonkeyPatch) -> IamWorld:
    settings.S3_PLATFORM_PRINCIPAL_ARN = f"arn:aws:iam::{ACCOUNT}:user/platform"
    settings.S3_SEAT_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/exporthub-seat-{{seat_id}}"
    key, secret = iam_env.users["platform"]  # may only assume roles
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    return iam_env


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
    _grant(platform, tenant.seat_id, platform.bucket)
    _grant(platform, other_tenant.seat_id, "globex-own-bucket")
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
