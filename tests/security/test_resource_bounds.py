"""One tenant cannot hold the workers: a cap on integrations per tenant, and a deadline on a
whole Verify however slowly the storage answers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from integrations.models import Integration
from tests.integrations.destinations.s3.standin import s3_bucket
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db


def test_a_tenant_cannot_make_more_integrations_than_the_operator_allows(
    tenant: Tenant, other_tenant: Tenant, settings: Any
) -> None:
    settings.MAX_INTEGRATIONS_PER_TENANT = 2
    for name in ("one", "two"):
        assert isinstance(make_integration(tenant, "s3", "clicks", name=name,
                                           directory=f"/{name}"), Integration)  # fmt: skip
    errors = make_integration(tenant, "s3", "clicks", name="three", directory="/three")
    assert "has 2 integrations, the most allowed" in str(errors["__all__"])
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'a')[1]}")
    body = {"name": "four", "feed": "clicks", "destination": "s3",
            "config": {"bucket": "acme-exports", "region": "us-east-1", "directory": "/four"},
            "secrets": {"access_key": "AKIAIOSFODNN7EXAMPLE", "secret_key": "x" * 40}}  # fmt: skip
    answer = api.post("/api/v1/integrations", body, content_type="application/json")
    assert answer.status_code == 400 and "the most allowed" in str(answer.json())
    assert isinstance(make_integration(other_tenant, "s3", "clicks"), Integration)  # theirs


def test_a_verify_past_its_deadline_stops_with_a_transient_failure(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    settings.VERIFY_DEADLINE_SECONDS = 0
    integration = make_integration(tenant, "s3", "standard_feed", bucket=s3_bucket(s3_env))
    verification = verify(integration)
    step = failed_step(verification)
    assert (step["code"], step["permanent"]) == ("VerifyDeadline", False)
    assert "Verify again" in step["hint"]
    assert verification.steps[-1]["status"] == "skipped"
