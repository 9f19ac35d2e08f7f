"""The audit log page: Admins only, filterable, no secret values."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Tenant
from tests.support.integrations import CANARY_SECRET_KEY, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(admin_client: Client, tenant: Tenant) -> None:
    slug = tenant.slug
    admin_client.post(f"/t/{slug}/integrations/new/s3/clicks/", form_data("s3", "clicks"))
    pk = tenant.integrations.get().pk
    changed = form_data("s3", "clicks", bucket="acme-moved", secret_key="another-secret-key-99")
    admin_client.post(f"/t/{slug}/integrations/{pk}/configure/", changed, REMOTE_ADDR="203.0.113.7")
    admin_client.post(f"/t/{slug}/settings/", {"name": "Acme Advertising"})


def test_it_records_who_changed_what_from_where(history: None, tenant: Tenant) -> None:
    update = AuditEntry.objects.get(action="integration.updated")
    assert update.actor_label == "alice@acme.example"
    assert update.ip == "203.0.113.7"
    assert update.changes["bucket"] == {"old": "acme-exports", "new": "acme-moved"}
    assert update.changes["secret_key"] == "changed"
    assert "access_key" not in update.changes  # unchanged secrets are not mentioned
    assert AuditEntry.objects.filter(action="tenant.updated").exists()
    assert CANARY_SECRET_KEY not in str(list(AuditEntry.objects.values()))


def test_it_shows_and_filters_the_log_for_admins(
    history: None, admin_client: Client, tenant: Tenant
) -> None:
    page = admin_client.get(f"/t/{tenant.slug}/audit/").content.decode()
    assert "integration.created" in page and "tenant.updated" in page
    filtered = admin_client.get(f"/t/{tenant.slug}/audit/?action=tenant.updated").content.decode()
    assert "Acme Advertising" in filtered and "acme-moved" not in filtered


def test_it_ignores_a_forged_forwarded_for_header(admin_client: Client, tenant: Tenant) -> None:
    admin_client.post(
        f"/t/{tenant.slug}/settings/", {"name": "Renamed"},
        REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="1.2.3.4",
    )  # fmt: skip
    assert AuditEntry.objects.get().ip == "198.51.100.1"


def test_it_trusts_forwarded_for_from_configured_proxies(
    admin_client: Client,
    tenant: Tenant,
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    admin_client.post(
        f"/t/{tenant.slug}/settings/", {"name": "Renamed"},
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9",
    )  # fmt: skip
    assert AuditEntry.objects.get().ip == "198.51.100.9"


def test_it_keeps_the_log_from_viewers_and_outsiders(
    viewer_client: Client, outsider_client: Client, tenant: Tenant
) -> None:
    assert viewer_client.get(f"/t/{tenant.slug}/audit/").status_code == 403
    assert outsider_client.get(f"/t/{tenant.slug}/audit/").status_code == 404
