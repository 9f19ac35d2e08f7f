"""A hostile tenant against the read-only Iceberg catalog: names that are not the tenant's own
(case, unicode, encodings, traversal), keys that no longer count, odd paging and bodies. Every
answer is the spec's error model, never a 500 and never another tenant's table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from integrations.models import Integration
from tests.support.iceberg_tables import iceberg_integration, rows, store, write_table
from tests.support.integrations import api_client

BASE = "/iceberg/v1"


@pytest.fixture
def theirs(tmp_path: Path, other_tenant: Tenant) -> Integration:
    integration = iceberg_integration(other_tenant, "clicks")
    store(integration, write_table(tmp_path, "clicks", [rows(10, 7, 3)]))
    return integration


@pytest.fixture
def mine(tmp_path: Path, tenant: Tenant) -> Integration:
    (tmp_path / "mine").mkdir()
    integration = iceberg_integration(tenant, "clicks")
    store(integration, write_table(tmp_path / "mine", "clicks", [rows(10, 8, 2)]))
    return integration


@pytest.fixture
def hostile(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.VIEWER, "probe")[1])


def _error(response: Any, code: int, kind: str) -> None:
    assert response.status_code == code, response.content
    body = response.json()["error"]
    assert (body["code"], body["type"]) == (code, kind), body


ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize(
    "name",
    [
        "clicks_²",  # a digit to str.isdigit(), not to int()
        "clicks_{arabic}",  # Arabic-Indic digits int() reads as the table's own number
        "clicks_0{pk}",  # the same number, not the table's name
        "clicks_99999999999999999999999",  # past any integer column
        "clicks_" + "9" * 5000,  # past the digits int() converts
        "clicks_-1",
        "clicks_",
        "_1",
    ],
)
def test_a_table_name_with_odd_digits_is_no_such_table(
    hostile: Client, mine: Integration, name: str
) -> None:
    name = name.format(pk=mine.pk, arabic=str(mine.pk).translate(ARABIC))
    assert hostile.get(f"{BASE}/namespaces/acme_ads/tables/clicks_{mine.pk}").status_code == 200
    for method in ("get", "head"):
        answer = getattr(hostile, method)(f"{BASE}/namespaces/acme_ads/tables/{name}")
        assert answer.status_code == 404, (method, answer.content)
    _error(hostile.get(f"{BASE}/namespaces/acme_ads/tables/{name}"), 404, "NoSuchTableException")


@pytest.mark.parametrize("value", ["²", "٣", "9" * 5000, "-1", "1.0", " 1"])
@pytest.mark.parametrize("parameter", ["pageSize", "pageToken"])
def test_a_page_token_or_size_with_odd_digits_is_a_bad_request(
    hostile: Client, mine: Integration, parameter: str, value: str
) -> None:
    for route in ("namespaces", "namespaces/acme_ads/tables"):
        answer = hostile.get(f"{BASE}/{route}", {parameter: value})
        _error(answer, 400, "BadRequestException")


@pytest.mark.parametrize(
    "namespace",
    ["globex_media", "GLOBEX_MEDIA", "globex-media", "globex_med\u0131a", "%67lobex_media",
     "acme_ads%2F..%2Fglobex_media", "..%2Fglobex_media", "%2e%2e", "acme_ads.globex_media",
     "acme_ads%1Fglobex_media", "ACME_ADS", "acme_ads%00"],
)  # fmt: skip
def test_another_tenants_namespace_is_unreachable_by_any_spelling(
    hostile: Client, theirs: Integration, namespace: str
) -> None:
    table = f"clicks_{theirs.pk}"
    for route in (f"namespaces/{namespace}", f"namespaces/{namespace}/tables/{table}"):
        for method in ("get", "head"):
            answer = getattr(hostile, method)(f"{BASE}/{route}")
            assert answer.status_code == 404, (route, method, answer.content)
            assert theirs.iceberg_table.metadata_location.encode() not in answer.content
    answer = hostile.get(f"{BASE}/namespaces/acme_ads/tables/{table}")
    _error(answer, 404, "NoSuchTableException")


def test_a_revoked_key_reads_no_table_and_gets_no_304(tenant: Tenant, mine: Integration) -> None:
    key, raw = ApiKey.issue(tenant, Role.ADMIN, "old")
    client = api_client(raw)
    route = f"{BASE}/namespaces/acme_ads/tables/clicks_{mine.pk}"
    etag = client.get(route)["ETag"]
    ApiKey.objects.filter(pk=key.pk).update(revoked_at="2026-01-01T00:00:00Z")
    for method in ("get", "head"):
        answer = getattr(client, method)(route, headers={"If-None-Match": etag})
        assert answer.status_code == 401, (method, answer.status_code)
    _error(client.get(route), 401, "NotAuthorizedException")


def test_load_table_never_answers_a_secret_of_the_integration(
    hostile: Client, mine: Integration
) -> None:
    body = hostile.get(f"{BASE}/namespaces/acme_ads/tables/clicks_{mine.pk}").content.decode()
    secrets = [str(value) for value in mine.get_secrets().values()]
    assert secrets and mine.encrypted_secrets
    for secret in [*secrets, mine.encrypted_secrets]:
        assert secret not in body
    assert '"config":{}' in body.replace(" ", "")


def test_many_keys_of_one_tenant_share_its_catalog_rate(settings: Any, tenant: Tenant) -> None:
    settings.THROTTLE_CATALOG_RATE, settings.THROTTLE_TENANT_CATALOG_RATE = "2/min", "3/min"
    keys = [api_client(ApiKey.issue(tenant, Role.VIEWER, f"k{n}")[1]) for n in range(3)]
    answers = [client.get(f"{BASE}/config").status_code for client in keys]
    answers.append(keys[0].get(f"{BASE}/namespaces").status_code)
    assert answers == [200, 200, 200, 429]  # each key under its own rate, the tenant past its
    _error(keys[1].get(f"{BASE}/config"), 429, "TooManyRequestsException")
