"""A tenant's DNS that takes its time (an authoritative server the tenant runs, answering late
or never): the name is resolved in the request that checks it, outside every deadline, so the
webhook's total deadline and the web request's own time are the tenant's to set."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from exporthub import outbound
from exporthub.tenancy.models import ApiKey, Role, Tenant
from tests.support.integrations import api_client, make_integration

pytestmark = pytest.mark.django_db
SLOW = "slow.attacker.test"
LATE = "127.0.0.1"  # what the tenant's DNS answers in the end: refused, never connected to
HELD = 6.0  # seconds the tenant's DNS takes to answer


class SlowDns:
    """The tenant's DNS for SLOW; whether it had answered when the caller was answered."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.answered = False


@pytest.fixture
def slow_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowDns]:
    real, dns = socket.getaddrinfo, SlowDns()

    def getaddrinfo(name: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(name, str) and name.lower().rstrip(".") == SLOW:
            dns.release.wait(HELD)
            dns.answered = True
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (LATE, port))]
        return real(name, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield dns
    dns.release.set()


def test_it_a_tenant_dns_that_answers_late_does_not_hold_a_webhook_past_its_deadline(
    slow_dns: SlowDns, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    target = outbound.parse(f"https://{SLOW}/hook", what="webhook URL", example="x")
    answer = outbound.post(target, b"{}", {}, seconds=1.0, allowed=[])
    assert not slow_dns.answered, (
        f"the 1 s delivery waited {HELD:g} s for the tenant's DNS, then said {answer.error!r}"
    )


def test_it_a_tenant_dns_that_answers_late_does_not_hold_the_web_request_adding_a_webhook(
    slow_dns: SlowDns, tenant: Tenant, settings: Any
) -> None:
    """Unthrottled, and each one holds a web worker for as long as the tenant's DNS likes."""
    settings.WEBHOOK_ALLOWED_HOSTS = []
    integration = make_integration(tenant, "s3", "clicks", bucket="not-contacted")
    api = api_client(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])
    answer = api.post(
        f"/api/v1/integrations/{integration.pk}/webhooks",
        {"kind": "webhook", "url": f"https://{SLOW}/hook"},
        content_type="application/json",
    )
    assert not slow_dns.answered, (
        f"the request waited {HELD:g} s for the tenant's DNS (HTTP {answer.status_code})"
    )
