"""Every tenant page is scoped: members read, Admins write, everyone else gets 404."""

from __future__ import annotations

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant

pytestmark = pytest.mark.django_db


def test_it_shows_the_dashboard_to_a_member(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 200
    assert "No integrations yet" in response.content.decode()


def test_it_hides_another_tenants_dashboard(outsider_client: Client, tenant: Tenant) -> None:
    response = outsider_client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 404
    assert tenant.name not in response.content.decode()


def test_it_answers_404_for_an_unknown_tenant(admin_client: Client) -> None:
    assert admin_client.get("/t/no-such-tenant/").status_code == 404


def test_it_sends_anonymous_visitors_to_login(client: Client, tenant: Tenant) -> None:
    response = client.get(f"/t/{tenant.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_lets_an_admin_rename_the_tenant(admin_client: Client, tenant: Tenant) -> None:
    response = admin_client.post(f"/t/{tenant.slug}/settings/", {"name": "Acme Advertising"})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert tenant.name == "Acme Advertising"
    assert tenant.slug == "acme-ads"


def test_it_shows_settings_read_only_to_a_viewer(viewer_client: Client, tenant: Tenant) -> None:
    response = viewer_client.get(f"/t/{tenant.slug}/settings/")
    assert response.status_code == 200
    assert '<form method="post" novalidate>' not in response.content.decode()


def test_it_forbids_a_viewers_write(viewer_client: Client, tenant: Tenant) -> None:
    response = viewer_client.post(f"/t/{tenant.slug}/settings/", {"name": "Hijacked"})
    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.name == "Acme Ads"


def test_it_answers_404_not_403_to_an_outsiders_write(
    outsider_client: Client, tenant: Tenant
) -> None:
    response = outsider_client.post(f"/t/{tenant.slug}/settings/", {"name": "Hijacked"})
    assert response.status_code == 404
    tenant.refresh_from_db()
    assert tenant.name == "Acme Ads"


def test_it_rejects_an_invalid_name_with_a_field_error(
    admin_client: Client, tenant: Tenant
) -> None:
    response = admin_client.post(f"/t/{tenant.slug}/settings/", {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
