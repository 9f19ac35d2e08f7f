"""A hostile tenant's JSON bodies against the API: a filter (or any field) nested deeper than the
parser recurses is a 400 in the error model, never a 500, on every route that parses JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from integrations.models import Integration
from tests.support.integrations import api_client, make_integration

pytestmark = pytest.mark.django_db
DEPTH = 100_000  # far past Python's recursion limit, far below the body size limit
NESTED = "[" * DEPTH + "]" * DEPTH


@pytest.fixture
def admin(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "hostile")[1])


def _filters_body() -> str:
    body: dict[str, Any] = {
        "name": "std", "feed": "standard_feed", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "eu-west-1", "manifest_path": "/m",
                   "feed_path": "/f/%TIMESTAMP%", "format": "avro", "compression": "NONE",
                   "filters": [{"column": "event_type", "op": "eq", "value": "NESTED"}]},
        "secrets": {"access_key": "AKIAEXAMPLE0000000001", "secret_key": "s" * 40},
    }  # fmt: skip
    return json.dumps(body).replace('"NESTED"', NESTED)


def test_a_filter_nested_past_the_recursion_limit_is_a_400_on_create(admin: Client) -> None:
    answer = admin.post("/api/v1/integrations", _filters_body(), content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]
    assert "JSON" in answer.json()["detail"]
    assert not Integration.objects.exists()


@pytest.mark.parametrize("route", ["", "/reprocess", "/backfill"])
def test_a_body_nested_past_the_recursion_limit_is_a_400_on_every_json_route(
    admin: Client, tenant: Tenant, route: str
) -> None:
    integration = make_integration(tenant, "s3", "standard_feed")
    body = '{"config": {"filters": ' + NESTED + "}}"
    url = f"/api/v1/integrations/{integration.pk}{route}"
    method = admin.patch if not route else admin.post
    answer = method(url, body, content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]
