"""Webhooks in a real browser: add one (its secret shown once), send the test event, and see
it in the delivery log, delivered to a real HTTPS receiver (issue 21)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant, User
from tests.conftest import PASSWORD
from tests.support.integrations import make_integration
from tests.support.webhook_receiver import Receiver

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_adds_a_webhook_and_sees_the_test_event_delivered(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User, receiver: Receiver
) -> None:
    from playwright.sync_api import expect

    integration = make_integration(tenant, "s3", "clicks")
    log_in(page, live_server, admin_user.email, PASSWORD)
    page.goto(f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_role("button", name="Add webhook").click()
    secret = page.locator("#webhook-secret").text_content() or ""
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]+", secret)
    receiver.secret = secret
    page.get_by_role("link", name=re.compile("Back to")).click()
    expect(page.locator("#webhook-secret")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text(re.compile("Test event msg_\\w+ queued"))).to_be_visible()
    log = page.locator("#delivery-log")
    expect(log.get_by_text("webhook.test")).to_be_visible()
    expect(log.get_by_text("200")).to_be_visible()
    [event] = receiver.events.values()  # signature verified by the receiver
    assert event["type"] == "webhook.test" and receiver.bad_signatures == 0
