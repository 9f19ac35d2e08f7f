"""Shared fixtures: two tenants, an Admin and a Viewer of the first, and an outsider; each
cloud's stand-in fixtures come from its test folder's fixtures.py."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Membership, Role, Tenant, User

PASSWORD = "correct-horse-battery-staple"
CLOUD_TESTS = Path(__file__).resolve().parent / "integrations" / "destinations"

# A cloud's stand-ins are fixtures in its own folder, so adding one edits nothing here.
pytest_plugins = sorted(
    f"tests.integrations.destinations.{path.parent.name}.fixtures"
    for path in CLOUD_TESTS.glob("*/fixtures.py")
)


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings: Any) -> None:
    """Each test its own key prefix in the shared cache. With REDIS_URL the cache is one Redis
    database for both xdist workers (whose user ids overlap) and it outlives a test's
    transaction, so a lockout one test leaves would refuse another's correct password."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


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


@pytest.fixture
def receiver(tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A real HTTPS webhook receiver on loopback, allowed as a webhook host and trusted."""
    from tests.support.webhook_receiver import webhook_receiver

    with webhook_receiver(tmp_path) as found:
        settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
        # It plays Slack too, as a host the operator adds to Slack's own.
        settings.SLACK_WEBHOOK_HOSTS = ["hooks.slack.com", "localhost"]
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(found.ca_bundle))
        yield found
