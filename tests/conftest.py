"""Shared fixtures: two tenants, an Admin and a Viewer of the first, and an outsider."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import Membership, Role, Tenant, User
from tests.support import standins
from tests.support.iam_world import IamWorld, iam_world

PASSWORD = "correct-horse-battery-staple"


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


# --- Cloud stand-ins, started once per test session when a test asks for them ------------
@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An S3/STS stand-in that accepts any credentials."""
    with standins.moto_server(tmp_path_factory.mktemp("moto")) as url:
        yield url


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[standins.Azurite]:
    with standins.azurite(tmp_path_factory.mktemp("azurite")) as server:
        yield server


@pytest.fixture(scope="session")
def gcs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[standins.GCSStandIn]:
    with standins.gcs_emulator(tmp_path_factory.mktemp("gcs")) as server:
        yield server


@pytest.fixture
def s3_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point botocore at the permissive S3 stand-in, as an operator would with the env var."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAPLATFORM00000000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "platform-secret")
    return moto_url


@pytest.fixture
def azure_env(
    azurite: standins.Azurite, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> standins.Azurite:
    settings.AZURE_BLOB_ENDPOINT = azurite.endpoint
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(azurite.ca_bundle))
    return azurite


@pytest.fixture
def gcs_env(
    gcs: standins.GCSStandIn, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> Iterator[standins.GCSStandIn]:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs.host)
    settings.GCS_TOKEN_URI = gcs.token_uri  # the operator's stand-in token endpoint
    gcs.faults.count = 0
    gcs.faults.grants.clear()
    yield gcs
    gcs.faults.count = 0
    gcs.faults.grants.clear()


@pytest.fixture(scope="session")
def iam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IamWorld]:
    """An S3/STS stand-in that enforces IAM: real AccessDenied answers."""
    with iam_world(tmp_path_factory.mktemp("moto-iam")) as world:
        yield world


@pytest.fixture
def iam_env(iam: IamWorld, monkeypatch: pytest.MonkeyPatch) -> IamWorld:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", iam.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", iam.url)
    return iam


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
