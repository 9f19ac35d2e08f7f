"""Webhooks through the API and the integration page: the secret shown once, URLs masked, Viewer
keys read only, another tenant's a 404, and the address guard on every URL (issue 21)."""

from __future__ import annotations

import ipaddress
from typing import Any
from unittest import mock

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, AuditEntry, Role, Tenant
from tests.support.integrations import api_client, make_integration
from tests.support.webhook_receiver import Receiver
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db


def _api(tenant: Tenant, role: str = Role.ADMIN) -> Client:
    return api_client(ApiKey.issue(tenant, role, f"{role} key")[1])


def test_the_api_creates_lists_and_deletes_webhooks(tenant: Tenant, receiver: Receiver) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    api, url = _api(tenant), f"/api/v1/integrations/{integration.pk}/webhooks"
    created = api.post(
        url, {"url": receiver.url, "events": ["window.delivered"]}, "application/json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["window.delivered"]
    assert body["kind"] == "webhook" and body["url_hint"].startswith("https://localhost:")
    listed = _api(tenant, Role.VIEWER).get(url).json()
    assert listed == [{k: v for k, v in body.items() if k != "secret"}]
    everything = str(listed) + str(list(AuditEntry.objects.values()))
    assert body["secret"] not in everything and "/hooks/exporthub" not in everything
    slack = api.post(url, {"url": receiver.url, "kind": "slack"}, "application/json").json()
    assert "secret" not in slack and "window.delivered" not in slack["events"]
    assert api.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert [e["id"] for e in api.get(url).json()] == [slack["id"]]


def test_viewers_cannot_add_and_other_tenants_see_nothing(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver
) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    url = f"/api/v1/integrations/{integration.pk}/webhooks"
    viewer = _api(tenant, Role.VIEWER).post(url, {"url": receiver.url}, "application/json")
    assert viewer.status_code == 403
    endpoint = _api(tenant).post(url, {"url": receiver.url}, "application/json").json()
    outsider = _api(other_tenant)
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"url": receiver.url}, "application/json").status_code == 404
    assert outsider.delete(f"/api/v1/webhooks/{endpoint['id']}").status_code == 404
    assert Endpoint.objects.filter(pk=endpoint["id"]).exists()


def _resolve(host: str, port: int) -> list[str]:
    """DNS for the test: a name is public; an address literal is itself."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return ["93.184.216.34"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/x", "https://"),
        ("https://127.0.0.1/x", "private, loopback"),
        ("https://10.1.2.3/x", "private, loopback"),
        ("https://169.254.169.254/latest/meta-data", "private, loopback"),
        ("https://[::ffff:127.0.0.1]/x", "private, loopback"),
        ("https://user:pw@hooks.example.com/x", "credentials"),
        ("https://hooks.example.com/x#frag", "fragment"),
        ("not a url", "https://"),
    ],
)
def test_webhook_urls_that_could_reach_inside_are_refused(
    tenant: Tenant, url: str, says: str, settings: Any
) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    integration = make_integration(tenant, "s3", "clicks")
    with mock.patch("exporthub.outbound.addresses.resolve", side_effect=_resolve):
        answer = _api(tenant).post(
            f"/api/v1/integrations/{integration.pk}/webhooks", {"url": url}, "application/json"
        )
    assert answer.status_code == 400 and says in str(answer.json()["url"])
    assert not Endpoint.objects.exists()


def test_a_host_resolving_to_a_private_address_is_refused(tenant: Tenant, settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_HOSTS = []
    integration = make_integration(tenant, "s3", "clicks")
    with mock.patch("exporthub.outbound.addresses.resolve", return_value=["192.168.1.5"]):
        answer = _api(tenant).post(
            f"/api/v1/integrations/{integration.pk}/webhooks",
            {"url": "https://rebinding.example.com/hook"},
            "application/json",
        )
    assert answer.status_code == 400


def test_the_page_adds_a_webhook_shows_its_secret_once_and_logs_the_test_event(
    tenant: Tenant,
    receiver: Receiver,
    admin_client: Client,
    viewer_client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    base = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    added = admin_client.post(base + "webhooks/", {"kind": "webhook", "url": receiver.url})
    assert added.status_code == 201
    endpoint = Endpoint.objects.get()
    secret = endpoint.get_secrets()["secret"]
    assert secret in added.content.decode()
    page = admin_client.get(base).content.decode()
    assert secret not in page and "/hooks/exporthub" not in page and endpoint.url_hint in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(base + f"webhooks/{endpoint.pk}/test/")
    [event] = receiver.events.values()
    assert event["type"] == "webhook.test"
    page = viewer_client.get(base).content.decode()
    assert "webhook.test" in page and "Send test event" not in page  # Viewers only look
    assert viewer_client.post(base + "webhooks/", {"url": receiver.url}).status_code == 403


def test_the_page_says_why_a_url_is_refused(tenant: Tenant, admin_client: Client) -> None:
    integration = make_integration(tenant, "s3", "clicks")
    base = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    answer = admin_client.post(
        base + "webhooks/", {"kind": "webhook", "url": "http://x"}, follow=True
    )
    assert "Webhook not added" in answer.content.decode() and not Endpoint.objects.exists()
