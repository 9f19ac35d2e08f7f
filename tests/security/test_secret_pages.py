"""Every page that shows a secret once (a webhook's signing secret, a new API key, recovery codes)
answers `Cache-Control: no-store`, so no browser or proxy keeps a copy of it."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from exporthub.tenancy.models import Tenant
from tests.conftest import PASSWORD
from tests.support.integrations import make_integration
from tests.support.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db


def _not_stored(answer: object) -> None:
    assert "no-store" in answer["Cache-Control"]  # type: ignore[index]


def test_it_never_caches_the_page_with_a_new_webhooks_secret(
    tenant: Tenant, receiver: Receiver, admin_client: Client
) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    added = admin_client.post(
        f"/t/{tenant.slug}/integrations/{integration.pk}/webhooks/",
        {"kind": "webhook", "url": receiver.url},
    )
    assert added.status_code == 201
    _not_stored(added)


def test_it_never_caches_the_page_with_a_new_api_key(tenant: Tenant, admin_client: Client) -> None:
    created = admin_client.post(f"/t/{tenant.slug}/api-keys/", {"name": "ci", "role": "viewer"})
    assert created.status_code == 201
    _not_stored(created)


def test_it_never_caches_the_page_with_new_recovery_codes(admin_client: Client) -> None:
    admin_client.get("/accounts/two-factor/")
    device = TOTPDevice.objects.get()
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    answer = admin_client.post(
        "/accounts/two-factor/", {"password": PASSWORD, "otp_token": f"{code:06d}"}
    )
    assert answer.status_code == 201
    _not_stored(answer)
