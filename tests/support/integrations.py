"""Integrations as the tests make them: valid form data for every destination (each cloud's own
fields from its test folder) and feed kind, creation through the real form and service, API
clients and an integration as the API creates it."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.test import Client

from exporthub.tenancy.models import Tenant

# Re-exported: the tests of pages, API and secrets look for these canaries.
from tests.integrations.destinations.s3.fields import CANARY_ACCESS_KEY as CANARY_ACCESS_KEY
from tests.integrations.destinations.s3.fields import CANARY_SECRET_KEY as CANARY_SECRET_KEY

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

API = "/api/v1/integrations"
S3_BODY: dict[str, Any] = {
    "name": "Standard feed to S3",
    "feed": "standard_feed",
    "destination": "s3",
    "config": {
        "bucket": "acme-exports",
        "region": "eu-west-1",
        "sse": "sse-kms",
        "kms_key_id": "alias/exports",
        "manifest_path": "/manifests",
        "feed_path": "/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%",
        "format": "avro",
        "compression": "DEFLATE",
        "notification_emails": ["data@acme.example"],
    },
    "secrets": {"access_key": CANARY_ACCESS_KEY, "secret_key": CANARY_SECRET_KEY},
}


def destination_fields(destination: str, feed: str = "standard_feed") -> dict[str, str]:
    """The cloud's own valid fields, from its test folder (destinations/<kind>/fields.py)."""
    fields = import_module(f"tests.integrations.destinations.{destination}.fields")
    return dict(fields.valid_fields(feed))


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


def make_integration(tenant: Tenant, destination: str, feed: str, **overrides: Any) -> Any:
    """Create through the real form and service; return the integration or the form errors."""
    from exporthub.tenancy.auditlog import Actor
    from integrations.forms.registry import form_class
    from integrations.lifecycle.services import save_integration

    form = form_class(destination)(
        form_data(destination, feed, **overrides), tenant=tenant, feed=feed
    )
    if not form.is_valid():
        return form.errors
    return save_integration(form, Actor.system())
