"""Shared fixtures: two tenants, an Admin and a Viewer of the first, and an outsider."""

from __future__ import annotations

import pytest
from django.test import Client

from exporthub.tenancy.models import Membership, Role, Tenant, User

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def tenant(db: None) -> Tenant:
    return Tenant.objects.create(name="Acme Ads", slug="acme-ads", seat_id=998)


@pytest.fixture
def other_tenant(db: None) -> Tenant:
    return Tenant.objects.create(name="Globex Media", slug="globex-media", seat_id=1234)


def _member(email: str, tenant: Tenant, role: str) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def admin_user(tenant: Tenant) -> User:
    return _member("alice@acme.example", tenant, Role.ADMIN)


@pytest.fixture
def viewer_user(tenant: Tenant) -> User:
    return _member("victor@acme.example", tenant, Role.VIEWER)


@pytest.fixture
def outsider(other_tenant: Tenant) -> User:
    """An Admin of another tenant, who should have no access to `tenant`."""
    return _member("oscar@globex.example", other_tenant, Role.ADMIN)


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user: User) -> Client:
    return _logged_in(admin_user)


@pytest.fixture
def viewer_client(viewer_user: User) -> Client:
    return _logged_in(viewer_user)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return _logged_in(outsider)
