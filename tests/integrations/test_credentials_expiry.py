"""A SAS token that expires next week is not a silent deactivation waiting to happen: a warning
at save and in Verify, and one reminder 14 days and one 2 days before it expires."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from exporthub.tenancy.models import Tenant
from integrations.lifecycle.expiry import send_reminders
from integrations.models import Integration, State
from tests.integrations.destinations.azure.standin import ACCOUNT, azure_container, azure_sas
from tests.support.integrations import form_data
from tests.support.verification import verify

pytestmark = pytest.mark.django_db


def _create(admin_client: Client, tenant: Tenant, expiry: datetime) -> tuple[Integration, str]:
    data = form_data(
        "azure", "standard_feed", storage_account=ACCOUNT, container=azure_container(),
        sas_token=azure_sas(expiry=expiry),
    )  # fmt: skip
    response = admin_client.post(
        f"/t/{tenant.slug}/integrations/new/azure/standard_feed/", data, follow=True
    )
    assert response.status_code == 200
    return Integration.objects.get(tenant=tenant), response.content.decode()


def test_a_token_expiring_within_30_days_is_a_warning_at_save_and_in_verify(
    azure_env: Any, tenant: Tenant, admin_client: Client
) -> None:
    expiry = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10, hours=1)
    integration, page = _create(admin_client, tenant, expiry)
    assert integration.credentials_expire_at == expiry
    assert f"expires on {expiry:%Y-%m-%d %H:%M} UTC (in 10 day(s))" in page
    verification = verify(integration)
    assert verification.state == "passed"
    assert "in 10 day(s)" in verification.steps[0]["detail"]


def test_a_token_with_a_distant_expiry_warns_of_nothing(
    azure_env: Any, tenant: Tenant, admin_client: Client
) -> None:
    _, page = _create(admin_client, tenant, datetime.now(UTC) + timedelta(days=400))
    assert "expires on" not in page


def test_one_reminder_goes_out_14_days_and_one_2_days_before_expiry(
    azure_env: Any,
    tenant: Tenant,
    admin_client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    expiry = datetime.now(UTC).replace(microsecond=0) + timedelta(days=20)
    integration, _ = _create(admin_client, tenant, expiry)
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    sent = []
    with django_capture_on_commit_callbacks(execute=True):
        for days_before in (16, 13.5, 13, 5, 1.9, 1.5, 0.5):
            sent.append(send_reminders(expiry - timedelta(days=days_before)))
    assert sent == [0, 1, 0, 0, 1, 0, 0]
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        f"ExportHub: the SAS token of “{integration.name}” expires in 13 day(s)",
        f"ExportHub: the SAS token of “{integration.name}” expires in 1 day(s)",
    ]
    assert mail.outbox[0].to == ["data@acme.example", "ops@acme.example"]
    assert "azure_sas" not in mail.outbox[0].body and "sig=" not in mail.outbox[0].body
