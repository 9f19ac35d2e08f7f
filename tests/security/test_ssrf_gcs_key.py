"""SSRF through a service-account key: a tenant's key names the token endpoint (and other
addresses) google-auth would call. ExportHub calls only Google's, or the operator's stand-in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from exporthub.crypto import encrypt_json
from exporthub.tenancy.models import Tenant
from integrations.models import Integration
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.gcs.standin import gcs_bucket
from tests.support.integrations import make_integration
from tests.support.standins import serve
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db


class _Listener(BaseHTTPRequestHandler):
    """An address inside the operator's network that a tenant would like ExportHub to call."""

    calls: list[str] = []

    def do_POST(self) -> None:
        _Listener.calls.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def inside() -> Iterator[str]:
    _Listener.calls = []
    with serve(_Listener) as port:
        yield f"http://127.0.0.1:{port}/token"


def _with(**fields: str) -> str:
    key = json.loads(service_account_key())
    key.update(fields)
    return json.dumps(key)


@pytest.mark.parametrize(
    "fields",
    [
        {"token_uri": "http://127.0.0.1:6379/token"},
        {"token_uri": "http://169.254.169.254/computeMetadata/v1/token"},
        {"token_uri": "file:///etc/passwd"},
        {"token_uri": "https://oauth2.googleapis.com.attacker.example/token"},
        {"universe_domain": "attacker.example"},
        {"auth_provider_x509_cert_url": "http://10.0.0.1/certs"},
    ],
)
def test_a_key_naming_an_address_of_the_tenants_choosing_is_refused_at_save(
    tenant: Tenant, fields: dict[str, str]
) -> None:
    errors = make_integration(tenant, "gcs", "clicks", service_account_key=_with(**fields))
    assert not isinstance(errors, Integration)
    message = " ".join(errors["service_account_key"])
    assert ("must be" in message and "Google" in message) or "googleapis.com" in message


def test_a_key_with_googles_own_addresses_is_accepted(tenant: Tenant) -> None:
    key = _with(
        auth_uri="https://accounts.google.com/o/oauth2/auth",
        auth_provider_x509_cert_url="https://www.googleapis.com/oauth2/v1/certs",
        universe_domain="googleapis.com",
    )
    assert isinstance(
        make_integration(tenant, "gcs", "clicks", service_account_key=key), Integration
    )


def test_a_stored_key_naming_an_inside_address_never_makes_exporthub_call_it(
    gcs_env: GCSStandIn, tenant: Tenant, inside: str
) -> None:
    """A key stored before this check (or written past the form): Verify and exports refuse to
    connect, and the address the tenant chose receives nothing, not even a failed attempt."""
    bucket = gcs_bucket(gcs_env)
    integration = make_integration(
        tenant, "gcs", "standard_feed", bucket=bucket,
        service_account_key=service_account_key(token_uri=gcs_env.token_uri),
    )  # fmt: skip
    assert isinstance(integration, Integration)
    key = service_account_key(token_uri=inside)
    Integration.objects.filter(pk=integration.pk).update(
        encrypted_secrets=encrypt_json({"service_account_key": key})
    )
    integration.refresh_from_db()
    step = failed_step(verify(integration))
    assert step["code"] == "KeyEndpointNotAllowed" and "Google" in step["hint"]
    assert _Listener.calls == []


def test_the_operators_stand_in_token_endpoint_is_the_only_other_one(
    gcs_env: GCSStandIn, tenant: Tenant, settings: Any
) -> None:
    bucket = gcs_bucket(gcs_env)
    key = service_account_key(token_uri=gcs_env.token_uri)
    integration = make_integration(tenant, "gcs", "clicks", bucket=bucket, service_account_key=key)
    assert isinstance(integration, Integration)
    assert verify(integration).state == "passed"
    settings.GCS_TOKEN_URI = ""
    assert failed_step(verify(integration))["code"] == "KeyEndpointNotAllowed"
