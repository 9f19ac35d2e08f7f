"""The events an integration's endpoints can receive, their bodies, and storing one message per
subscribed endpoint in the transaction of the change that caused it."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from integrations.models import Integration

from .models import Endpoint, Message

WINDOW_DELIVERED = "window.delivered"
RUN_FAILED = "run.failed"
DEACTIVATED = "integration.deactivated"
REACTIVATED = "integration.reactivated"
CREDENTIALS_EXPIRING = "credentials.expiring"
TEST = "webhook.test"  # the page's "Send test event" button, to one endpoint
EVENTS = (WINDOW_DELIVERED, RUN_FAILED, DEACTIVATED, REACTIVATED, CREDENTIALS_EXPIRING)
# Slack gets what needs a person; every delivered window would drown the channel.
SLACK_DEFAULT = (RUN_FAILED, DEACTIVATED, REACTIVATED, CREDENTIALS_EXPIRING)


def default_events(kind: str) -> list[str]:
    return list(SLACK_DEFAULT if kind == Endpoint.Kind.SLACK else EVENTS)


def integration_json(integration: Integration) -> dict[str, Any]:
    return {
        "id": integration.pk,
        "name": integration.name,
        "feed": integration.feed,
        "destination": integration.destination,
        "seat_id": integration.tenant.seat_id,
    }


def body(event: str, integration: Integration, data: dict[str, Any]) -> dict[str, Any]:
    """Standard Webhooks' shape: the type, when it happened, and the data (never a secret)."""
    return {
        "type": event,
        "timestamp": timezone.now().isoformat(),
        "data": {"integration": integration_json(integration), **data},
    }


def emit(integration: Integration, event: str, data: dict[str, Any]) -> list[Message]:
    """A message for every endpoint of the integration that takes `event`; sent once the
    current transaction commits (retried by the sweep if that send is lost)."""
    endpoints = [e for e in integration.webhooks.all() if event in e.events]
    return [send_to(endpoint, event, body(event, integration, data)) for endpoint in endpoints]


def send_to(endpoint: Endpoint, event: str, payload: dict[str, Any]) -> Message:
    message = Message.objects.create(
        endpoint=endpoint, msg_id=f"msg_{uuid.uuid4().hex}", event=event, payload=payload
    )
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.delay(message.pk))
    return message
