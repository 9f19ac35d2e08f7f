"""A tenant's S3-compatible Endpoint URL that drips its answers cannot hold an export worker: a
connection to a host a tenant chose lives at most TENANT_CONNECTION_SECONDS, and the run fails
as transient (retried later with backoff), recorded like any other failure."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from integrations.models import State
from tests.support.exports import active, events, run_exports
from tests.support.hostile import hostile_server

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_an_export_to_a_dripping_endpoint_fails_as_transient_instead_of_holding_the_worker(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = ["localhost"], 2.0
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
    # Cut once while the server was still sending: the SDK's retries are refused at once.
    assert run.error_code == "HeldTooLong" and tarpit.sent > 0 and tarpit.accepted == 1
    integration.refresh_from_db()
    assert integration.state == State.ACTIVE
    assert took < 10, f"the export held its worker {took:.0f} s for a 2 s connection"


def test_only_a_host_still_sending_when_its_connection_is_cut_is_cooled_down(
    settings: Any,
) -> None:
    """An idle connection (a pool's) that reaches the limit is simply closed; one whose server
    was still dripping when it was cut keeps this process away from that host for a while."""
    from urllib3.util import connection as urllib3_connection

    from exporthub import outbound

    quiet, busy = "127.0.0.5", "127.0.0.6"  # two hosts of their own (cool-downs are per host)
    settings.ENDPOINT_URL_ALLOWED_HOSTS = [quiet, busy]
    settings.TENANT_CONNECTION_SECONDS = 4.0  # longer than "recently" (3 s) after connecting
    with hostile_server("drip", host=quiet) as one, hostile_server("drip", host=busy) as other:
        for host in (quiet, busy):
            outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
        idle = urllib3_connection.create_connection((quiet, one.port), timeout=10)
        dripping = urllib3_connection.create_connection((busy, other.port), timeout=10)
        dripping.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # its answer drips
        time.sleep(4.5)
        with contextlib.suppress(ConnectionResetError):  # cut, as both are: an end or a reset
            assert idle.recv(1) == b""
        idle.close()
        dripping.close()
        urllib3_connection.create_connection((quiet, one.port), timeout=10).close()
        with pytest.raises(outbound.HeldTooLong):
            urllib3_connection.create_connection((busy, other.port), timeout=10)


def test_a_busy_connection_cut_at_its_limit_does_not_cool_a_shared_host_down(
    settings: Any,
) -> None:
    """A pooled connection carrying request after request (an export's parts to a provider
    other tenants use too) may reach the limit while an answer arrives: it is cut, but its host
    is not cooled down, or every tenant of that provider would wait."""
    from urllib3.util import connection as urllib3_connection

    from exporthub import outbound

    host = "127.0.0.7"
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = [host], 2.0
    with hostile_server("drip", host=host, interval=0.1) as server:
        outbound.trust_tenant_host(host, "ENDPOINT_URL_ALLOWED_HOSTS")
        busy = urllib3_connection.create_connection((host, server.port), timeout=10)
        with contextlib.suppress(OSError):  # requests keep going out until the cut
            for _ in range(30):
                busy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                time.sleep(0.1)
        busy.close()
        urllib3_connection.create_connection((host, server.port), timeout=10).close()


def test_an_export_to_an_endpoint_dripping_slower_than_half_the_limit_is_cut_once(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """A byte, then nothing until after the cut: the SDK's retries are refused at once, as for
    any tarpit, rather than each waiting for its own cut."""
    settings.ENDPOINT_URL_ALLOWED_HOSTS, settings.TENANT_CONNECTION_SECONDS = ["localhost"], 2.0
    with hostile_server("drip", tmp_path, interval=3.0, drip_for=60) as tarpit:
        monkeypatch.setenv("AWS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        endpoint = f"https://localhost:{tarpit.port}"
        integration = active(tenant, "s3", "clicks", T0, endpoint_url=endpoint)
        events(tenant, "clicks", 20, T0, T0 + timedelta(minutes=15))
        run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get(integration=integration)
    assert run.status == ExportRun.Status.FAILED and run.next_attempt_at is not None
    assert run.error_code == "HeldTooLong" and tarpit.accepted == 1, (
        f"cut {tarpit.accepted} times ({run.error_code})"
    )
