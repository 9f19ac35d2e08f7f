"""Subscribing the test receiver (tests/conftest.py) to an integration's events."""

from __future__ import annotations

from typing import Any

from exporthub.tenancy.auditlog import Actor
from integrations.models import Integration
from tests.support.webhook_receiver import Receiver
from webhooks.models import Endpoint
from webhooks.services import add_endpoint


def subscribe(
    integration: Integration, receiver: Receiver, kind: str = "webhook", events: Any = None
) -> Endpoint:
    endpoint, secret = add_endpoint(integration, kind, receiver.url, events, Actor.system())
    receiver.secret = secret
    return endpoint
