"""The retry sweep attacked by a tenant with many due messages and every notification place
held (slow receivers): each sweep hands every one of them to a task of its own, ahead of other
tenants' messages in the notifications queue, and again after each WAIT."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.lifecycle.state import deactivate
from tests.support.exports import active
from tests.support.webhook_receiver import Receiver
from webhooks import tasks
from webhooks.models import Message

from .conftest import subscribe

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _stored_message(tenant: Tenant, receiver: Receiver, bucket: str) -> Message:
    """A message whose immediate send was lost with its commit hook: only the sweep sends it."""
    integration = active(tenant, "s3", "clicks", T0, bucket=bucket)
    subscribe(integration, receiver)
    deactivate(integration, Actor.system(), "Listing: AccessDenied", {"name": "Listing"})
    return Message.objects.get(event="integration.deactivated", endpoint__integration=integration)


def test_it_a_tenant_with_every_place_held_does_not_flood_the_sweep_with_its_messages(
    tenant: Tenant, other_tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    places = settings.NOTIFY_CONCURRENCY_PER_TENANT
    first = _stored_message(tenant, receiver, "hostile-exports")
    Message.objects.bulk_create(
        Message(endpoint=first.endpoint, msg_id=f"msg_{uuid.uuid4().hex}", event=first.event,
                payload=first.payload)
        for _ in range(150)
    )  # fmt: skip
    for _ in range(places):  # its tarpit receivers hold every one of its places
        assert slots.take(tenant.pk, queues.NOTIFICATIONS, places)
    victim = _stored_message(other_tenant, receiver, "victim-exports")
    handed = tasks.send_due_messages()
    victim.refresh_from_db()
    assert victim.status == Message.Status.DELIVERED
    assert handed <= places + 1, (
        f"one sweep handed out {handed} tasks for a tenant that can send {places} at a time"
    )
