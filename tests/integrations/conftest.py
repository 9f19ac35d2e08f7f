"""API clients per role, for the tests of integrations (tests/support/integrations.py makes
integrations and their form data)."""

from __future__ import annotations

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from tests.support.integrations import api_client


@pytest.fixture
def admin_api(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "ci admin")[1])


@pytest.fixture
def viewer_api(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.VIEWER, "dashboards")[1])


@pytest.fixture
def outsider_api(other_tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(other_tenant, Role.ADMIN, "globex")[1])
