"""Logging in, landing on a tenant and switching between tenants."""

from __future__ import annotations

import pytest
from django.test import Client

from exporthub.tenancy.models import Membership, Role, Tenant, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_tenant_client(admin_user: User, other_tenant: Tenant) -> Client:
    Membership.objects.create(user=admin_user, tenant=other_tenant, role=Role.VIEWER)
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_logs_in_with_the_email_in_any_case(admin_user: User, tenant: Tenant) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ALICE@Acme.Example", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/t/{tenant.slug}/"


def test_it_rejects_a_wrong_password(admin_user: User) -> None:
    response = Client().post(
        "/accounts/login/", {"username": admin_user.email, "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


def test_it_lists_every_tenant_of_the_user_in_the_switcher(
    two_tenant_client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    page = two_tenant_client.get(f"/t/{tenant.slug}/").content.decode()
    assert f'href="/t/{other_tenant.slug}/"' in page
    assert f'href="/t/{tenant.slug}/" aria-current="true"' in page


def test_it_remembers_the_tenant_switched_to(
    two_tenant_client: Client, tenant: Tenant, other_tenant: Tenant
) -> None:
    two_tenant_client.get(f"/t/{other_tenant.slug}/")
    response = two_tenant_client.get("/")
    assert response["Location"] == f"/t/{other_tenant.slug}/"
    two_tenant_client.get(f"/t/{tenant.slug}/")
    assert two_tenant_client.get("/")["Location"] == f"/t/{tenant.slug}/"


def test_it_applies_the_role_of_the_current_tenant(
    two_tenant_client: Client, other_tenant: Tenant
) -> None:
    response = two_tenant_client.post(f"/t/{other_tenant.slug}/settings/", {"name": "X"})
    assert response.status_code == 403


def test_it_explains_when_the_user_has_no_tenant(db: None) -> None:
    user = User.objects.create_user(email="lonely@example.com", password=PASSWORD)
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "not a member of any tenant" in response.content.decode()
