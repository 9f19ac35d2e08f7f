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
    form = {"name": "ingestion job", "role": "admin", "form_id": "f1"}
    response = admin_client.post(_url(tenant), form)
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    resubmitted = admin_client.post(_url(tenant), form)  # a reload of that page
    assert resubmitted.status_code == 200 and "already created" in resubmitted.content.decode()
    assert ApiKey.objects.count() == 1
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


def test_a_new_key_never_rests_in_the_session_store(tenant: Tenant, admin_client: Client) -> None:
    """An Admin who never loads the next page must not leave the raw key in django_session for
    the session's two weeks."""
    from django.contrib.sessions.models import Session

    response = admin_client.post(_url(tenant), {"name": "job", "role": "viewer", "form_id": "x"})
    found = re.search(r"ehk_[\w-]+", response.content.decode())
    assert found
    stored = [str(session.get_decoded()) for session in Session.objects.all()]
    assert stored and not any(found.group(0) in text for text in stored)
