"""A hostile tenant's webhook receivers and names, against real listeners on loopback: a URL two
parsers read differently, an IDN host, a receiver dripping its answer, a 400 MiB answer. None may
reach inside, hold a worker past the deadline, or fill its memory."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.lifecycle.state import deactivate
from integrations.models import Integration
from tests.support.exports import active
from tests.support.hostile import MiB, attacker_dns, hostile_server
from tests.support.integrations import make_integration
from webhooks.delivery import deliver
from webhooks.models import Endpoint, Message
from webhooks.services import add_endpoint

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"  # what the tenant's DNS answers while ExportHub checks (never reached)


def _stored(integration: Integration, url: str, kind: str = "webhook") -> Message:
    """An endpoint stored as it is (as before this version checked it), and one message for it."""
    endpoint = Endpoint(integration=integration, kind=kind, events=["integration.deactivated"])
    endpoint.url_hint = "https://…"
    endpoint.set_secrets(url, "whsec_" + "A" * 44)
    endpoint.save()
    deactivate(integration, Actor.system(), "Listing: AccessDenied", {"name": "Listing"})
    return Message.objects.get(endpoint=endpoint)


@pytest.mark.parametrize(("kind", "inside"), [("webhook", "127.0.0.3"), ("slack", "127.0.0.4")])
def test_a_backslash_url_never_reaches_loopback_with_the_signed_body(
    tenant: Tenant, kind: str, inside: str, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """urlsplit reads the host `127.0.0.3\\x.attacker.test` (public, says the tenant's DNS);
    urllib3 ends the host at the backslash and would connect to 127.0.0.3. (Each case has an
    address of its own: the suite's workers may run both at once, each listening on 443.)"""
    settings.WEBHOOK_ALLOWED_HOSTS, settings.SLACK_WEBHOOK_HOSTS = [], ["hooks.slack.com"]
    attacker_dns(monkeypatch, {f"{inside}\\x.attacker.test": PUBLIC})
    integration = active(tenant, "s3", "clicks", T0)
    # The attack names no port (one after the backslash would not parse): listen on 443.
    with hostile_server("count", host=inside, port=443) as listener:
        url = f"https://{inside}\\x.attacker.test/hook"
        with pytest.raises(ValidationError, match="backslashes"):
            add_endpoint(integration, kind, url, None, Actor.system())
        message = _stored(integration, url, kind)
        assert deliver(message.pk) == Message.Status.PENDING
        assert listener.accepted == 0
    assert "backslashes" in message.attempt_log.get().error


def test_an_idn_host_is_stored_as_its_idna_2008_a_label_and_checked_as_that(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """IDNA 2003 reads straße as strasse; the connection asks DNS for xn--strae-oqa."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    dns = {"strasse.attacker.test": PUBLIC, "xn--strae-oqa.attacker.test": "127.0.0.1"}
    attacker_dns(monkeypatch, dns)
    integration = make_integration(tenant, "s3", "clicks")
    with pytest.raises(ValidationError, match="private, loopback"):
        add_endpoint(integration, "webhook", "https://straße.attacker.test/h", None, Actor.system())
    dns["xn--strae-oqa.attacker.test"] = PUBLIC
    endpoint, _ = add_endpoint(
        integration, "webhook", "https://Straße.attacker.test/hook", None, Actor.system()
    )
    assert endpoint.get_secrets()["url"] == "https://xn--strae-oqa.attacker.test/hook"
    assert endpoint.url_hint == "https://xn--strae-oqa.attacker.test/…"


def test_a_stored_idn_host_that_leads_to_loopback_is_never_connected(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with hostile_server("count") as listener:
        dns = {"strasse.attacker.test": PUBLIC, "xn--strae-oqa.attacker.test": "127.0.0.1"}
        attacker_dns(monkeypatch, dns)
        integration = active(tenant, "s3", "clicks", T0)
        message = _stored(integration, f"https://straße.attacker.test:{listener.port}/hook")
        assert deliver(message.pk) == Message.Status.PENDING
        assert listener.accepted == 0
    assert "private, loopback" in message.attempt_log.get().error


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_webhook_deadline(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """One byte every 0.2 s never trips a per-read timeout; the deadline is for the whole
    request (connect, TLS, headers, body)."""
    settings.WEBHOOK_ALLOWED_HOSTS, settings.WEBHOOK_TIMEOUT_SECONDS = ["localhost"], 1.0
    with hostile_server("drip", tmp_path, drip_for=30) as tarpit:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        integration = active(tenant, "s3", "clicks", T0)
        message = _stored(integration, tarpit.url())
        began = time.monotonic()
        assert deliver(message.pk) == Message.Status.PENDING
        took = time.monotonic() - began
    attempt = message.attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("Timeout")
    assert tarpit.sent > 0 and took < 10, f"held {took:.1f} s for a 1 s deadline"


def test_a_400_mib_answer_is_dropped_after_its_first_64_kib(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    with hostile_server("huge", tmp_path) as server:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "azurite-cert.pem"))
        integration = active(tenant, "s3", "clicks", T0)
        message = _stored(integration, server.url())
        assert deliver(message.pk) == Message.Status.DELIVERED
        time.sleep(0.2)  # the server notices the hang-up
    # What the socket buffers took before the hang-up; never the 400 MiB offered.
    assert server.sent < 32 * MiB, f"{server.sent / MiB:.0f} MiB were read"


def test_slack_endpoints_name_only_slacks_hosts(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    attacker_dns(monkeypatch, {"hooks.slack.com": PUBLIC, "hooks.example.com": PUBLIC})
    integration = make_integration(tenant, "s3", "clicks")
    with pytest.raises(ValidationError, match=r"https://hooks\.slack\.com/"):
        add_endpoint(integration, "slack", "https://hooks.example.com/T/B/x", None, Actor.system())
    add_endpoint(
        integration, "slack", "https://hooks.slack.com/services/T/B/x", None, Actor.system()
    )
    settings.SLACK_WEBHOOK_HOSTS = [*settings.SLACK_WEBHOOK_HOSTS, "hooks.example.com"]
    add_endpoint(integration, "slack", "https://hooks.example.com/T/B/x", None, Actor.system())
    assert integration.webhooks.count() == 2
