"""Valid form data for every destination and feed kind, and API clients per role."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from integrations.catalog import FEEDS, FeedKind
from tests.support.credentials import sas_token, service_account_key

CANARY_ACCESS_KEY = "AKIACANARY0000SECRET"
CANARY_SECRET_KEY = "canary-secret-key/SHOULD+NEVER+LEAK+0000"

LOG_LEVEL_FIELDS = {
    "manifest_path": "/manifests",
    "feed_path": "/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%",
    "format": "protobuf",
    "compression": "SNAPPY",
}
FEED_FIELDS: dict[str, dict[str, str]] = {
    "clicks": {"directory": "/exports/clicks"},
    "conversions": {"directory": "/exports/conversions"},
    "standard_feed": LOG_LEVEL_FIELDS,
    "segment_feed": LOG_LEVEL_FIELDS,
}


def destination_fields(destination: str, feed: str = "standard_feed") -> dict[str, str]:
    if destination == "s3":
        return {
            "bucket": "acme-exports",
            "region": "us-west-2",
            "auth_mode": "access_key",
            "access_key": CANARY_ACCESS_KEY,
            "secret_key": CANARY_SECRET_KEY,
            "sse": "none",
        }
    if destination == "gcs":
        return {
            "bucket": "acme-exports",
            "auth_mode": "key",
            "service_account_key": service_account_key(),
        }
    permission = "rwdlac" if FEEDS[feed].kind == FeedKind.LOG_LEVEL else "rwd"
    return {
        "storage_account": "acmeexports",
        "container": "exports",
        "sas_token": sas_token(permission=permission),
    }


def form_data(destination: str, feed: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": f"{destination} {feed}",
        "notification_emails": "data@acme.example, ops@acme.example",
        **destination_fields(destination, feed),
        **FEED_FIELDS[feed],
    }
    data.update(overrides)
    return data


def api_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def admin_api(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.ADMIN, "ci admin")[1])


@pytest.fixture
def viewer_api(tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(tenant, Role.VIEWER, "dashboards")[1])


@pytest.fixture
def outsider_api(other_tenant: Tenant) -> Client:
    return api_client(ApiKey.issue(other_tenant, Role.ADMIN, "globex")[1])


def make_integration(tenant: Tenant, destination: str, feed: str, **overrides: Any) -> Any:
    """Create through the real form and service; return the integration or the form errors."""
    from exporthub.tenancy.auditlog import Actor
    from integrations.forms import form_class
    from integrations.services import save_integration

    form = form_class(destination)(
        form_data(destination, feed, **overrides), tenant=tenant, feed=feed
    )
    if not form.is_valid():
        return form.errors
    return save_integration(form, Actor.system())
