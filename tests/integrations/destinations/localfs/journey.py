"""The fourth cloud's journey, run by test_fourth_cloud.py under this folder's settings: New,
Configure, Verify, an export and the API, as for any cloud."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.models import ExportRun
from integrations.models import Integration, State
from tests.support.exports import events, run_exports

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _fields(folder: Path, directory: str = "/exports/clicks") -> dict[str, str]:
    return {
        "name": "Clicks to a folder",
        "notification_emails": "data@acme.example",
        "folder": str(folder),
        "directory": directory,
    }


def test_a_cloud_from_one_folder_goes_from_new_to_an_export_and_the_api(
    admin_client: Client,
    tenant: Tenant,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    base = f"/t/{tenant.slug}"
    # New: the cloud is offered, and its form creates the integration.
    assert "Local folder" in admin_client.get(f"{base}/integrations/new/").content.decode()
    chosen = admin_client.get(f"{base}/integrations/new/?destination=localfs&feed=clicks")
    assert chosen.status_code == 302
    created = admin_client.post(chosen["Location"], _fields(tmp_path, "/first"))
    assert created.status_code == 302, created.context and created.context["form"].errors
    integration = Integration.objects.get(tenant=tenant, name="Clicks to a folder")
    assert (integration.destination, integration.state) == ("localfs", State.NEW)
    detail = admin_client.get(f"{base}/integrations/{integration.pk}/").content.decode()
    assert "Local folder" in detail and "as its own user" in detail  # its help, its label
    # Configure: a new directory.
    configured = admin_client.post(
        f"{base}/integrations/{integration.pk}/configure/", _fields(tmp_path)
    )
    assert configured.status_code == 302
    integration.refresh_from_db()
    assert integration.config["directory"] == "/exports/clicks"
    # Verify: every step passes against the folder and leaves nothing behind.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{base}/integrations/{integration.pk}/verify/")
    integration.refresh_from_db()
    steps = integration.verifications.get().steps
    assert [s["status"] for s in steps] == ["passed"] * len(steps), steps
    assert integration.state == State.ACTIVE
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # An export: the window's file lands in the folder.
    Integration.objects.filter(pk=integration.pk).update(exports_from=T0)
    events(tenant, "clicks", 40, T0, T0 + timedelta(minutes=15))
    assert "1 run(s) processed" in run_exports("2026-11-22T10:16:00Z")
    written = tmp_path / "exports/clicks/2026/11/22/2026-11-22-10-00.csv.gz"
    assert written.is_file()
    run = ExportRun.objects.get(integration=integration)
    assert (run.status, run.rows) == ("succeeded", 40)
    # The API: read, create and refuse like any cloud.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'ci')[1]}")
    body = api.get(f"/api/v1/integrations/{integration.pk}").json()
    assert (body["destination"], body["config"]["folder"]) == ("localfs", str(tmp_path))
    payload = {
        "name": "Conversions to a folder",
        "feed": "conversions",
        "destination": "localfs",
        "config": {"folder": str(tmp_path), "directory": "/exports/conversions",
                   "notification_emails": ["data@acme.example"]},
    }  # fmt: skip
    made = api.post("/api/v1/integrations", json.dumps(payload), content_type="application/json")
    assert made.status_code == 201, made.content
    payload["config"] = {**payload["config"], "folder": "relative/path"}  # type: ignore[dict-item]
    payload["name"] = "Refused"
    refused = api.post("/api/v1/integrations", json.dumps(payload), content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["config"]["folder"] == ["Give an absolute path."]
