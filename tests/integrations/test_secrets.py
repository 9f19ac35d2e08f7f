"""Canary secrets saved through the form and the API never show up anywhere readable."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Tenant, User
from integrations.models import Integration
from tests.integrations.destinations.azure.credentials import sas_token
from tests.integrations.destinations.gcs.credentials import service_account_key
from tests.support.integrations import CANARY_ACCESS_KEY, CANARY_SECRET_KEY, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def canaries() -> dict[str, str]:
    token = sas_token()
    key = service_account_key()
    private_key_body = json.loads(key)["private_key"].splitlines()[5]
    return {
        "access_key": CANARY_ACCESS_KEY,
        "secret_key": CANARY_SECRET_KEY,
        "sas_token": token,
        "sas_sig": token.split("sig=")[1],
        "service_account_key": key,
        "private_key_line": private_key_body,
    }


def _assert_clean(text: str, canaries: dict[str, str], where: str) -> None:
    for name in ("access_key", "secret_key", "sas_sig", "private_key_line"):
        assert canaries[name] not in text, f"{name} leaked into {where}"


def test_it_never_shows_secrets_anywhere(
    admin_client: Client, admin_api: Client, tenant: Tenant, canaries: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    seen: list[tuple[str, str]] = []
    slug = tenant.slug
    secrets = {
        "s3": {"access_key": canaries["access_key"], "secret_key": canaries["secret_key"]},
        "azure": {"sas_token": canaries["sas_token"]},
        "gcs": {"service_account_key": canaries["service_account_key"]},
    }
    for destination, values in secrets.items():
        # A rejected form comes back with the typed secrets; they must not be rendered back.
        bad = form_data(destination, "standard_feed", name=f"{destination} bad", **values)
        bad["notification_emails"] = "not-an-email"
        response = admin_client.post(
            f"/t/{slug}/integrations/new/{destination}/standard_feed/", bad
        )
        assert response.status_code == 200
        seen.append((f"{destination} form with errors", response.content.decode()))
        good = form_data(destination, "standard_feed", **values)
        response = admin_client.post(
            f"/t/{slug}/integrations/new/{destination}/standard_feed/", good
        )
        assert response.status_code == 302
        api_secrets = (
            values if destination != "azure" else {"sas_token": sas_token(permission="rwd")}
        )
        config = {
            k: v
            for k, v in form_data(destination, "clicks").items()
            if k not in values and k != "name"
        }
        config.update(directory=f"/api/{destination}", notification_emails=["a@acme.example"])
        body = {
            "name": f"{destination} via API",
            "feed": "clicks",
            "destination": destination,
            "config": config,
            "secrets": api_secrets,
        }
        response = admin_api.post(
            "/api/v1/integrations", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 201, response.content
        seen.append((f"{destination} API create", response.content.decode()))

    for integration in Integration.objects.all():
        base = f"/t/{slug}/integrations/{integration.pk}/"
        for url in (base, base + "configure/", base + "delete/"):
            seen.append((url, admin_client.get(url).content.decode()))
        api_url = f"/api/v1/integrations/{integration.pk}"
        seen.append((api_url, admin_api.get(api_url).content.decode()))
        patched = admin_api.patch(api_url, json.dumps({"name": integration.name + "!"}),
                                  content_type="application/json")  # fmt: skip
        seen.append((f"PATCH {api_url}", patched.content.decode()))
    seen.append(("dashboard", admin_client.get(f"/t/{slug}/").content.decode()))
    seen.append(("API list", admin_api.get("/api/v1/integrations").content.decode()))
    seen.append(("audit page", admin_client.get(f"/t/{slug}/audit/").content.decode()))

    operator = User.objects.create_superuser(email="ops@exporthub.example", password="x-operator-1")
    admin = Client()
    admin.force_login(operator)
    for integration in Integration.objects.all():
        seen.append(
            (
                "admin change",
                admin.get(
                    f"/admin/integrations/integration/{integration.pk}/change/"
                ).content.decode(),
            )
        )
    seen.append(("admin list", admin.get("/admin/integrations/integration/").content.decode()))
    seen.append(("admin audit", admin.get("/admin/tenancy/auditentry/").content.decode()))

    seen.append(("audit rows", json.dumps(list(AuditEntry.objects.values()), default=str)))
    seen.append(("logs", "\n".join(record.getMessage() for record in caplog.records)))
    seen.append(("reprs", " ".join(repr(i) for i in Integration.objects.all())))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT config, encrypted_secrets, secret_hints FROM integrations_integration"
        )
        seen.append(("database", json.dumps(cursor.fetchall(), default=str)))

    assert Integration.objects.count() == 6
    for where, text in seen:
        _assert_clean(text, canaries, where)
    # The secrets are really stored, just not readable.
    s3 = Integration.objects.get(destination="s3", feed="standard_feed")
    assert s3.get_secrets()["secret_key"] == canaries["secret_key"]
    assert "…0000" in admin_client.get(f"/t/{slug}/integrations/{s3.pk}/").content.decode()
