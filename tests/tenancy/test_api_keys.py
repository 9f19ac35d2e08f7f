"""`manage.py create_api_key` and how keys are stored and checked."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from exporthub.tenancy.models import ApiKey, AuditEntry, Tenant

pytestmark = pytest.mark.django_db


def _create_key(*args: str) -> str:
    out = StringIO()
    call_command("create_api_key", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_key_alone_on_the_last_line(tenant: Tenant) -> None:
    output = _create_key("--tenant", tenant.slug, "--role", "admin")
    raw = output.splitlines()[-1]
    assert raw.startswith("ehk_") and " " not in raw
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/integrations").status_code == 200
    key = ApiKey.objects.get()
    assert key.role == "admin" and key.last_used_at is not None
    assert AuditEntry.objects.get().action == "api_key.created"


def test_it_stores_only_a_hash(tenant: Tenant) -> None:
    raw = _create_key("--tenant", tenant.slug, "--role", "viewer").splitlines()[-1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM tenancy_apikey")
        rows = str(cursor.fetchall())
    assert raw not in rows
    assert raw[:12] in rows  # the recognisable prefix only


def test_it_rejects_a_revoked_key(tenant: Tenant) -> None:
    key, raw = ApiKey.issue(tenant, "admin", "old")
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/integrations").status_code == 401


def test_it_rejects_an_unknown_tenant_or_role(db: None) -> None:
    with pytest.raises(CommandError, match="No tenant with the slug"):
        _create_key("--tenant", "nope", "--role", "admin")
    with pytest.raises(CommandError, match="invalid choice"):
        _create_key("--tenant", "nope", "--role", "owner")
