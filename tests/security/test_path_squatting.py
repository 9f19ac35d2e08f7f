"""Tenant B squatting on tenant A's paths, or learning them from an error message: across
tenants, paths are decided at Verify among integrations that proved access to the storage."""

from __future__ import annotations

import pytest

from exporthub.tenancy.models import Tenant
from integrations.models import Integration, State
from tests.integrations.destinations.s3.standin import s3_bucket
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db


def test_an_unverified_integration_of_another_tenant_blocks_no_one(
    s3_env: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    bucket = s3_bucket(s3_env)
    squatter = make_integration(other_tenant, "s3", "clicks", bucket=bucket)
    assert isinstance(squatter, Integration) and squatter.state == State.NEW
    owner = make_integration(tenant, "s3", "clicks", bucket=bucket)
    assert isinstance(owner, Integration), owner
    assert verify(owner).state == "passed"


def test_a_save_tells_nothing_and_verify_keeps_the_paths_of_whoever_proved_access_first(
    s3_env: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    bucket = s3_bucket(s3_env)
    owner = make_integration(tenant, "s3", "clicks", bucket=bucket, name="Acme secret clicks")
    assert verify(owner).state == "passed"
    late = make_integration(other_tenant, "s3", "conversions", bucket=bucket,
                            directory="/exports/clicks")  # fmt: skip
    assert isinstance(late, Integration), late  # saved: nothing said about anyone's paths
    step = failed_step(verify(late))
    assert step["code"] == "PathsInUse" and "Acme" not in str(step)
    assert "Choose another Directory" in step["hint"]
    owner.refresh_from_db()
    assert owner.state == State.ACTIVE
    assert Integration.objects.get(pk=owner.pk).verifications.count() == 1
    assert verify(owner).state == "passed"  # the first to prove access keeps its paths
