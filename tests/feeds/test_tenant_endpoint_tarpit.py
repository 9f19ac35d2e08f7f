"""A tenant's S3-compatible Endpoint URL that drips its answers cannot hold an export worker: a
connection to a host a tenant chose lives at most TENANT_CONNECTION_SECONDS, and the run fails
as transient (retried later with backoff), recorded like any other failure."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.models import State
from tests.support.hostile import hostile_server

from .export_helpers import active, events, run_exports

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_an_export_to_a_dripping_endpoint_fails_as_transient_instead_of_holding_the_worker(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = ["localhost"], 1.0
    with hostile_server("drip", tmp_path, interval=0.3, drip_for=60) as tarpit:
        monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        endpoint = f"https://localhost:{tarpit.port}"
        integration = active(tenant, "s3", "clicks", T0, endpoint_url=endpoint)
        events(tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
        began = time.monotonic()
        run_exports("2026-11-22T10:16:00Z")
        took = time.monotonic() - began
    run = ExportRun.objects.get(integration=integration, window_start=T0)
    # Failed as transient: retried after its back-off, the integration still active.
    assert run.status == ExportRun.Status.FAILED and run.next_attempt_at is not None
    assert run.error_code == "ConnectionError" and tarpit.sent > 0
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    # Five attempts of the SDK, each cut after a second, with its back-off between them.
    assert took < 40, f"the export held its worker {took:.0f} s"
