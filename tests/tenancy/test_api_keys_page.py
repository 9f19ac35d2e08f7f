"""The API keys page: a key is shown once, works, shows its last use, and stops when revoked."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, AuditEntry, Tenant

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant, suffix: str = "") -> str:
    return f"/t/{tenant.slug}/api-keys/{suffix}"


def test_create_shows_the_key_once_and_it_works_until_revoked(
    tenant: Tenant, admin_client: Client
) -> None:
    empty = admin_client.get(_url(tenant))
    assert "No API keys yet" in empty.content.decode()
    created = admin_client.post(_url(tenant), {"name": "ingestion job", "role": "admin"})
    assert created.status_code == 302  # a reload of the next page creates no second key
    response = admin_client.get(created["Location"])
    assert "no-store" in response["Cache-Control"]
    assert "new_api_key" not in admin_client.session  # popped once shown
    found = re.search(r"ehk_[\w-]+", response.content.decode())
    assert found
    raw = found.group(0)
    key = ApiKey.objects.get()
    assert key.name == "ingestion job" and key.role == "admin" and key.created_by is not None

    # Shown once: the list shows the prefix only.
    listing = admin_client.get(_url(tenant)).content.decode()
    assert raw not in listing and key.prefix in listing and "Never" in listing

    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/v1/integrations").status_code == 200
    assert "Never" not in admin_client.get(_url(tenant)).content.decode()

    assert admin_client.post(_url(tenant, f"{key.pk}/revoke/")).status_code == 302
    assert api.get("/api/v1/integrations").status_code == 401
    assert "Revoked" in admin_client.get(_url(tenant)).content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"api_key.created", "api_key.revoked"} <= actions
    assert raw not in str(list(AuditEntry.objects.values()))


def test_bad_input_is_an_error_and_creates_nothing(tenant: Tenant, admin_client: Client) -> None:
    response = admin_client.post(_url(tenant), {"name": "", "role": "root"})
    assert response.status_code == 400 and not ApiKey.objects.exists()
    assert "This field is required" in response.content.decode()


def test_viewers_and_other_tenants_cannot_see_or_revoke_keys(
    tenant: Tenant, other_tenant: Tenant, viewer_client: Client, outsider_client: Client
) -> None:
    key, _ = ApiKey.issue(tenant, "admin", "job")
    assert viewer_client.get(_url(tenant)).status_code == 403
    assert viewer_client.post(_url(tenant, f"{key.pk}/revoke/")).status_code == 403
    assert outsider_client.get(_url(tenant)).status_code == 404
    assert outsider_client.post(_url(other_tenant, f"{key.pk}/revoke/")).status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
