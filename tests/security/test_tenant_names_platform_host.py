"""A tenant naming, as its S3-compatible Endpoint URL, a host ExportHub itself connects to (an
AWS endpoint, the operator's stand-in): connections to a tenant's host are limited and cooled
down by host, so the platform's own connections there would be too. Such an Endpoint URL is
refused, when saved and when one saved earlier is used."""

from __future__ import annotations

import time
from typing import Any

import pytest
import urllib3

from exporthub.tenancy.models import Tenant
from integrations.destinations.base import DestinationError
from integrations.models import Integration
from tests.support.healthy_store import healthy_store
from tests.support.hostile import attacker_dns, forgets_tenant_hosts
from tests.support.integrations import make_integration

__all__ = ["forgets_tenant_hosts"]  # autouse here: tenant hosts are process-wide

pytestmark = pytest.mark.django_db
PLATFORM = "127.0.0.2"  # where the operator's S3 and STS stand-in listens


def test_it_refuses_an_endpoint_url_naming_an_aws_host_the_platform_uses(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    attacker_dns(monkeypatch, {"s3.us-east-1.amazonaws.com": "52.216.8.1"})
    errors = make_integration(
        tenant, "s3", "clicks", endpoint_url="https://s3.us-east-1.amazonaws.com"
    )
    assert not isinstance(errors, Integration), "the platform's own S3 host was accepted"
    assert "ExportHub itself connects to" in str(errors["endpoint_url"]), errors


def test_it_keeps_the_platforms_connections_to_a_host_a_tenant_stored_as_its_endpoint(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Saved before the rule (or the operator moved its stand-in there): using it is refused,
    and the platform's pooled connection to that host is not cut at the tenant's limit."""
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = [PLATFORM], 1.0
    integration = make_integration(tenant, "s3", "clicks")
    config = {**integration.config, "endpoint_url": f"https://{PLATFORM}:9000"}
    Integration.objects.filter(pk=integration.pk).update(config=config)
    integration.refresh_from_db()
    with healthy_store(PLATFORM) as store:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://{PLATFORM}:{store.port}")
        try:
            integration.connect()
            refused: DestinationError | None = None
        except DestinationError as exc:
            refused = exc
        with urllib3.HTTPConnectionPool(PLATFORM, store.port, maxsize=1) as platform:
            assert platform.request("GET", "/bucket?location", retries=False).status == 200
            time.sleep(1.5)  # past the tenant's connection limit
            assert platform.request("GET", "/bucket?location", retries=1).status == 200
        assert store.accepted == 1, "the platform's connection was cut as if it were a tenant's"
    assert refused is not None and refused.code == "InvalidEndpoint" and refused.permanent
    assert "ExportHub itself connects to" in refused.message
