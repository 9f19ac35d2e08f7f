"""The integrations REST API of SPEC §7: shapes, roles, tenant isolation, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Tenant
from integrations.models import Integration, State
from tests.integrations.destinations.azure.credentials import sas_token
from tests.support.integrations import (
    API,
    CANARY_ACCESS_KEY,
    CANARY_SECRET_KEY,
    S3_BODY,
    make_integration,
)

pytestmark = pytest.mark.django_db


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _patch(client: Client, url: str, body: Any) -> Any:
    return client.patch(url, json.dumps(body), content_type="application/json")


def test_it_creates_an_integration_and_returns_the_contract_shape(admin_api: Client) -> None:
    response = _post(admin_api, API, S3_BODY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= {"id", "name", "feed", "destination", "state", "config"}
    assert "secrets" not in body
    assert body["state"] == "new"
    config = body["config"]
    assert set(config) >= {
        "bucket", "region", "sse", "kms_key_id", "endpoint_url", "storage_account", "container",
        "directory", "manifest_path", "feed_path", "format", "compression", "notification_emails",
    }  # fmt: skip
    assert config["sse"] == "sse-kms" and config["container"] is None
    assert config["auth_mode"] == "access_key"
    assert body["secret_hints"]["secret_key"] == "…0000"


def test_it_creates_azure_and_gcs_integrations(admin_api: Client) -> None:
    azure = {
        "name": "Clicks to Azure", "feed": "clicks", "destination": "azure",
        "config": {"storage_account": "acmeexports", "container": "clicks", "directory": "/",
                   "notification_emails": ["a@acme.example"]},
        "secrets": {"sas_token": sas_token(permission="rwd")},
    }  # fmt: skip
    assert _post(admin_api, API, azure).status_code == 201
    assert Integration.objects.get(name="Clicks to Azure").config["directory"] == "/"


def test_a_raw_feeds_completion_manifests_are_off_unless_chosen(admin_api: Client) -> None:
    body = {
        "name": "Clicks to S3", "feed": "clicks", "destination": "s3",
        "config": {"bucket": "acme-clicks", "region": "eu-west-1", "directory": "/clicks",
                   "notification_emails": ["a@acme.example"]},
        "secrets": {"access_key": CANARY_ACCESS_KEY, "secret_key": CANARY_SECRET_KEY},
    }  # fmt: skip
    created = _post(admin_api, API, body).json()
    assert created["config"]["completion_manifests"] is False  # seed 000: the files alone
    url = f"{API}/{created['id']}"
    response = _patch(admin_api, url, {"config": {"completion_manifests": True}})
    assert response.status_code == 200 and response.json()["config"]["completion_manifests"]
    response = _patch(admin_api, url, {"config": {"notification_emails": ["b@acme.example"]}})
    assert response.json()["config"]["completion_manifests"] is True  # kept when not sent
    assert _patch(admin_api, url, {"config": {"completion_manifests": "maybe"}}).status_code == 400


def test_it_lists_only_the_keys_tenant(
    admin_api: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    make_integration(tenant, "s3", "clicks", name="Mine")
    make_integration(other_tenant, "s3", "clicks", name="Theirs", bucket="globex-bucket")
    assert [i["name"] for i in admin_api.get(API).json()] == ["Mine"]


def test_it_reads_updates_and_deletes(admin_api: Client, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    url = f"{API}/{integration.pk}"
    assert admin_api.get(url).json()["config"]["directory"] == "/exports/clicks"

    response = _patch(admin_api, url, {"config": {"notification_emails": ["new@acme.example"]}})
    assert response.status_code == 200
    assert response.json()["state"] == "active"  # contacts are not a destination change
    assert response.json()["config"]["notification_emails"] == ["new@acme.example"]
    assert integration.get_secrets()["secret_key"] == CANARY_SECRET_KEY  # untouched

    response = _patch(admin_api, url, {"config": {"bucket": "acme-moved"}})
    assert response.json()["state"] == "new"

    assert admin_api.delete(url).status_code == 204
    assert admin_api.get(url).status_code == 404
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "integration.updated",
        "integration.state_changed",
        "integration.deleted",
    ]
    assert AuditEntry.objects.order_by("id").last().actor_label.startswith("API key ci admin")  # type: ignore[union-attr]


def test_it_reports_field_errors_in_the_api_shape(admin_api: Client) -> None:
    body = {**S3_BODY, "config": {**S3_BODY["config"], "bucket": "NO", "compression": "GZIP",
                                  "container": "not-for-s3"}}  # fmt: skip
    body["secrets"] = {"access_key": "", "secret_key": ""}
    response = _post(admin_api, API, body)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors["config"]) == {"bucket", "compression", "container"}
    assert errors["config"]["container"] == ["Not used by Amazon S3 integrations of this feed."]
    assert set(errors["secrets"]) == {"access_key", "secret_key"}
    assert not Integration.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "feed": "bids", "destination": "s3"}, "feed"),
        ({"name": "x", "feed": "clicks", "destination": "ftp"}, "destination"),
        ({"feed": "clicks", "destination": "s3"}, "name"),
        ({**S3_BODY, "config": {"bucekt": "typo"}}, "config"),
        ({**S3_BODY, "colour": "blue"}, "colour"),
    ],
)
def test_it_rejects_malformed_bodies(admin_api: Client, body: dict[str, Any], field: str) -> None:
    response = _post(admin_api, API, body)
    assert response.status_code == 400
    assert field in response.json()


def test_it_rejects_broken_json_with_400(admin_api: Client) -> None:
    response = admin_api.post(API, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_it_refuses_to_change_feed_or_destination(admin_api: Client, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    response = _patch(admin_api, f"{API}/{integration.pk}", {"destination": "gcs"})
    assert response.status_code == 400
    assert "destination" in response.json()


def test_it_requires_a_key(client: Client) -> None:
    response = client.get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer ehk_not-a-real-key", "Basic abc", "Bearer "])
def test_it_rejects_bad_keys(header: str) -> None:
    assert Client(HTTP_AUTHORIZATION=header).get(API).status_code == 401


def test_it_lets_a_viewer_key_read_but_not_write(viewer_api: Client, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    assert viewer_api.get(f"{API}/{integration.pk}").status_code == 200
    assert _post(viewer_api, API, S3_BODY).status_code == 403
    assert _patch(viewer_api, f"{API}/{integration.pk}", {"name": "x"}).status_code == 403
    assert viewer_api.delete(f"{API}/{integration.pk}").status_code == 403
    assert Integration.objects.get().name == integration.name


def test_it_hides_another_tenants_integration(outsider_api: Client, tenant: Tenant) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    url = f"{API}/{integration.pk}"
    assert outsider_api.get(url).status_code == 404
    assert _patch(outsider_api, url, {"name": "stolen"}).status_code == 404
    assert outsider_api.delete(url).status_code == 404
    assert Integration.objects.get().name == integration.name


def test_it_serves_the_openapi_schema(client: Client) -> None:
    response = client.get("/api/schema", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    text = response.content.decode()
    assert "/api/v1/integrations/{id}" in text
    assert "bearer" in text.lower()
    if schema:
        assert "patch" in schema["paths"]["/api/v1/integrations/{id}"]
