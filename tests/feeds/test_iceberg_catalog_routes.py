"""The catalog's routes as the REST catalog spec states them: the error model for 401/404/405,
HEAD answers, pages, the throttle, and a load that never touches the customer's bucket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import IcebergTable
from integrations.models import Integration
from tests.support.iceberg_tables import iceberg_integration, rows, store, write_table
from tests.support.integrations import api_client

BASE = "/iceberg/v1"
# A bucket that exists nowhere: the catalog answers from the row the export left.
NOWHERE = "s3://acme-lake-nowhere/lake/clicks/metadata/00002-abc.metadata.json"


@pytest.fixture
def clicks(tmp_path: Path, tenant: Tenant) -> Integration:
    integration = iceberg_integration(tenant, "clicks")
    row = store(integration, write_table(tmp_path, "clicks", [rows(10, 7, 3), rows(11, 7, 2)]))
    row.metadata_location = NOWHERE
    row.save(update_fields=["metadata_location"])
    return integration


@pytest.fixture
def viewer(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.VIEWER, "dashboards")[1])


@pytest.fixture
def admin_api(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])


@pytest.fixture
def outsider_api(other_tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(other_tenant, Role.ADMIN, "globex")[1])


def _error(response: Any, code: int, kind: str) -> str:
    assert response.status_code == code, response.content
    body = response.json()["error"]
    assert (body["code"], body["type"]) == (code, kind), body
    return str(body["message"])


def test_it_loads_a_table_from_its_row_without_reading_the_bucket(
    viewer: Client, clicks: Integration
) -> None:
    answer = viewer.get(f"{BASE}/namespaces/acme_ads/tables/clicks_{clicks.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["metadata-location"] == NOWHERE
    assert body["metadata"] == clicks.iceberg_table.metadata
    assert body["metadata"]["format-version"] == 2
    assert body["config"] == {}  # never any credentials


def test_it_answers_304_to_an_engine_holding_the_current_metadata(
    viewer: Client, clicks: Integration
) -> None:
    route = f"{BASE}/namespaces/acme_ads/tables/clicks_{clicks.pk}"
    etag = viewer.get(route)["ETag"]
    assert viewer.get(route, headers={"If-None-Match": etag}).status_code == 304
    # The next commit names another metadata file: the engine gets the new metadata.
    IcebergTable.objects.filter(integration=clicks).update(metadata_location=NOWHERE + ".next")
    answer = viewer.get(route, headers={"If-None-Match": etag})
    assert answer.status_code == 200 and answer["ETag"] != etag
    assert answer.json()["metadata-location"] == NOWHERE + ".next"


def test_it_gives_config_without_a_prefix_and_only_read_endpoints(viewer: Client) -> None:
    body = viewer.get(f"{BASE}/config", {"warehouse": "anything"}).json()
    assert body["defaults"] == {} and body["overrides"] == {}
    assert all(e.split()[0] in ("GET", "HEAD") for e in body["endpoints"])


def test_it_answers_head_with_204_or_404(viewer: Client, clicks: Integration) -> None:
    assert viewer.head(f"{BASE}/namespaces/acme_ads").status_code == 204
    assert viewer.head(f"{BASE}/namespaces/acme_ads/tables/clicks_{clicks.pk}").status_code == 204
    assert viewer.head(f"{BASE}/namespaces/globex_media").status_code == 404
    assert viewer.head(f"{BASE}/namespaces/acme_ads/tables/clicks_999999").status_code == 404


def test_it_answers_the_error_model_for_what_does_not_exist(
    viewer: Client, clicks: Integration
) -> None:
    _error(viewer.get(f"{BASE}/namespaces/globex_media/tables"), 404, "NoSuchNamespaceException")
    _error(viewer.get(f"{BASE}/namespaces", {"parent": "nope"}), 404, "NoSuchNamespaceException")
    for name in ("clicks_999999", f"conversions_{clicks.pk}", "clicks", "_1"):
        answer = viewer.get(f"{BASE}/namespaces/acme_ads/tables/{name}")
        _error(answer, 404, "NoSuchTableException")
    _error(viewer.get(f"{BASE}/namespaces/acme_ads/views/v"), 404, "NoSuchViewException")
    _error(viewer.get(f"{BASE}/no/such/route"), 404, "NotFoundException")
    assert viewer.get(f"{BASE}/namespaces/acme_ads/views").json()["identifiers"] == []


def test_it_hides_a_table_from_another_tenants_key(
    outsider_api: Client, clicks: Integration
) -> None:
    _error(outsider_api.get(f"{BASE}/namespaces/acme_ads"), 404, "NoSuchNamespaceException")
    answer = outsider_api.get(f"{BASE}/namespaces/globex_media/tables/clicks_{clicks.pk}")
    _error(answer, 404, "NoSuchTableException")
    assert outsider_api.get(f"{BASE}/namespaces").json()["namespaces"] == [["globex_media"]]


@pytest.mark.parametrize("header", [None, "Bearer ehk_wrong", "Basic abc", "Bearer "])
def test_it_answers_401_without_a_valid_key(db: None, header: str | None) -> None:
    client = Client(headers={"Authorization": header}) if header else Client()
    for route in ("config", "namespaces", "namespaces/acme_ads/tables"):
        answer = client.get(f"{BASE}/{route}")
        _error(answer, 401, "NotAuthorizedException")
        assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_refused(tenant: Tenant) -> None:
    key, raw = ApiKey.issue(tenant, Role.ADMIN, "old")
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-01-01T00:00:00Z")
    _error(api_client(raw).get(f"{BASE}/namespaces"), 401, "NotAuthorizedException")


@pytest.mark.parametrize(
    "method,route",
    [
        ("post", "namespaces"),
        ("delete", "namespaces/acme_ads"),
        ("post", "namespaces/acme_ads/properties"),
        ("post", "namespaces/acme_ads/tables"),
        ("post", "namespaces/acme_ads/register"),
        ("post", "namespaces/acme_ads/tables/clicks_{pk}"),
        ("delete", "namespaces/acme_ads/tables/clicks_{pk}"),
        ("post", "namespaces/acme_ads/tables/clicks_{pk}/metrics"),
        ("post", "tables/rename"),
        ("post", "transactions/commit"),
        ("post", "namespaces/acme_ads/views"),
        ("post", "views/rename"),
    ],
)
def test_every_write_route_answers_405_read_only(
    admin_api: Client, clicks: Integration, method: str, route: str
) -> None:
    path = f"{BASE}/{route.format(pk=clicks.pk)}"
    answer = getattr(admin_api, method)(path, data="{}", content_type="application/json")
    message = _error(answer, 405, "UnsupportedOperationException")
    assert "read-only" in message and method.upper() in message
    assert Integration.objects.filter(pk=clicks.pk).exists()
    assert clicks.iceberg_table.metadata_location == NOWHERE


def test_a_write_without_a_key_is_401_first(db: None) -> None:
    _error(Client().post(f"{BASE}/namespaces", {}), 401, "NotAuthorizedException")


def test_it_pages_when_the_client_sends_a_page_token(
    tmp_path: Path, tenant: Tenant, viewer: Client
) -> None:
    made = [
        iceberg_integration(tenant, "clicks", name=f"Lake {n}", directory=f"/lake{n}")
        for n in range(3)
    ]
    for n, integration in enumerate(made):
        store(integration, write_table(tmp_path, f"t{n}", [rows(10, n, 1)]))
    route = f"{BASE}/namespaces/acme_ads/tables"
    assert len(viewer.get(route).json()["identifiers"]) == 3  # no token: the whole list
    seen: list[str] = []
    token: str | None = ""
    while token is not None:
        body = viewer.get(route, {"pageToken": token, "pageSize": "2"}).json()
        assert len(body["identifiers"]) <= 2
        seen += [identifier["name"] for identifier in body["identifiers"]]
        token = body["next-page-token"]
    assert seen == [f"clicks_{i.pk}" for i in made]
    _error(viewer.get(route, {"pageSize": "many"}), 400, "BadRequestException")
    _error(viewer.get(route, {"pageToken": "x"}), 400, "BadRequestException")


def test_it_throttles_a_key_like_the_api(settings: Any, viewer: Client) -> None:
    settings.THROTTLE_CATALOG_RATE = "2/min"
    assert viewer.get(f"{BASE}/config").status_code == 200
    assert viewer.get(f"{BASE}/namespaces").status_code == 200
    answer = viewer.get(f"{BASE}/namespaces")
    _error(answer, 429, "TooManyRequestsException")
    assert int(answer["Retry-After"]) > 0


def test_the_api_schema_leaves_the_catalog_to_the_iceberg_spec(db: None) -> None:
    schema = Client().get("/api/schema", headers={"Accept": "application/json"})
    assert schema.status_code == 200
    assert "/api/v1/integrations" in schema.content.decode()
    assert "/iceberg/" not in schema.content.decode()
