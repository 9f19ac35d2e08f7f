"""A hostile tenant's Iceberg table path: one that leaves its folder (`..`, encodings, another
scheme), is not canonical (`//`) or is the bucket's root, where the daily clean-up would take
every unreferenced file under the bucket's own data/ and metadata/ for the table's."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from integrations.models import Integration
from tests.support.integrations import api_client

pytestmark = pytest.mark.django_db
API = "/api/v1/integrations"


@pytest.fixture
def admin(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "hostile")[1])


def _create(admin: Client, table_path: str) -> object:
    body = {
        "name": "lake", "feed": "standard_feed", "destination": "s3",
        "config": {"bucket": "acme-exports", "region": "eu-west-1", "format": "iceberg",
                   "compression": "ZSTD", "table_path": table_path, "manifest_path": "/m",
                   "feed_path": "/f/%TIMESTAMP%", "notification_emails": ["a@acme.example"]},
        "secrets": {"access_key": "AKIAEXAMPLE0000000001", "secret_key": "s" * 40},
    }  # fmt: skip
    return admin.post(API, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    "table_path",
    ["/", "//", "/..", "/lake/../../other", "/lake//clicks", "lake/%2e%2e/x", "lake/%2F",
     "s3://other-bucket/lake", "/lake/clicks\x00", "/läke", "/lake/%YEAR%"],
)  # fmt: skip
def test_a_table_path_leaving_its_folder_or_at_the_root_is_refused(
    admin: Client, table_path: str
) -> None:
    answer = _create(admin, table_path)
    assert answer.status_code == 400, answer.content  # type: ignore[attr-defined]
    assert "table_path" in answer.json()["config"]  # type: ignore[attr-defined]
    assert not Integration.objects.exists()


def test_a_table_path_is_kept_in_its_canonical_form(admin: Client) -> None:
    answer = _create(admin, " lake/clicks/ ")
    assert answer.status_code == 201, answer.content  # type: ignore[attr-defined]
    assert Integration.objects.get().config["table_path"] == "/lake/clicks"
