"""The retry sweep: it hands due messages to delivery tasks, never sends one still in flight
again and never sends one past WEBHOOK_RETRY_HOURS (issue 32)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from exporthub import queues
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.lifecycle.state import deactivate
from tests.support.exports import active
from tests.support.webhook_receiver import Receiver
from webhooks import tasks
from webhooks.delivery import ROWS
from webhooks.models import Message

from .conftest import subscribe

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _stored_message(tenant: Tenant, receiver: Receiver) -> Message:
    """A message whose immediate send was lost with its commit hook: only the sweep sends it."""
    integration = active(tenant, "s3", "clicks", T0)
    subscribe(integration, receiver)
    deactivate(integration, Actor.system(), "Listing: AccessDenied", {"name": "Listing"})
    return Message.objects.get(event="integration.deactivated", endpoint__integration=integration)


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moved = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_the_sweep_never_sends_a_message_past_its_retry_deadline(
    tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    """Workers were down for a day: what is due now is past WEBHOOK_RETRY_HOURS."""
    message = _stored_message(tenant, receiver)
    old = timezone.now() - timedelta(hours=settings.WEBHOOK_RETRY_HOURS, minutes=1)
    Message.objects.filter(pk=message.pk).update(created_at=old)
    tasks.send_due_messages()
    message.refresh_from_db()
    assert receiver.requests == []
    assert message.status == Message.Status.FAILED


def test_a_dead_workers_message_past_its_deadline_is_failed_not_sent(
    tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    message = _stored_message(tenant, receiver)
    old = timezone.now() - timedelta(hours=settings.WEBHOOK_RETRY_HOURS, minutes=1)
    expired = timezone.now() - timedelta(seconds=1)
    Message.objects.filter(pk=message.pk).update(
        created_at=old, status=Message.Status.SENDING, lease_expires_at=expired
    )
    tasks.send_due_messages()
    assert receiver.requests == []
    assert Message.objects.get(pk=message.pk).status == Message.Status.FAILED


def test_a_delivery_still_in_flight_is_never_sent_again_by_the_sweep(
    tenant: Tenant, receiver: Receiver, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receiver may hold a delivery until the notifications class's hard limit kills it (with
    an operator's long WEBHOOK_TIMEOUT_SECONDS, past the old 2-minute lease)."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 300.0
    message = _stored_message(tenant, receiver)
    assert ROWS.claim(message.pk)  # a worker took it and is still waiting on the receiver
    limits = queues.time_limits(settings.VERIFY_DEADLINE_SECONDS, settings.WEBHOOK_TIMEOUT_SECONDS)
    _later(monkeypatch, limits[queues.NOTIFICATIONS][1])
    assert tasks.send_due_messages() == 0
    assert receiver.requests == []
    _later(monkeypatch, limits[queues.NOTIFICATIONS][1] + 60)  # its worker was killed by then
    assert tasks.send_due_messages() == 1
    assert len(receiver.requests) == 1  # sent (the receiver refuses its timestamp from the future)


def test_the_sweep_hands_each_due_message_to_a_delivery_task(
    tenant: Tenant, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One slow receiver cannot hold the sweep and every message behind it in one task."""
    message = _stored_message(tenant, receiver)
    handed: list[int] = []
    monkeypatch.setattr(tasks.deliver_message, "delay", handed.append)
    assert tasks.send_due_messages() == 1
    assert handed == [message.pk]
    assert receiver.requests == []


def test_a_tenant_at_its_cap_waits_and_another_tenants_message_goes_out(
    tenant: Tenant,
    other_tenant: Tenant,
    receiver: Receiver,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two of the tenant's deliveries are held by a receiver that drips: a third waits for a
    place (not dropped, not holding a worker) while another tenant's is sent at once."""
    from exporthub.bulkheads import slots

    settings.NOTIFY_CONCURRENCY_PER_TENANT = 2
    in_flight = [slots.take(tenant.pk, queues.NOTIFICATIONS, 2) for _ in range(2)]
    assert all(in_flight)
    waiting = _stored_message(tenant, receiver)
    assert tasks.deliver_message(waiting.pk) == "waiting"
    waiting.refresh_from_db()
    assert waiting.status == Message.Status.PENDING and waiting.attempts == 0
    assert waiting.next_attempt_at is not None and waiting.next_attempt_at > timezone.now()
    assert receiver.requests == []

    other = _stored_message(other_tenant, receiver)
    assert tasks.deliver_message(other.pk) == Message.Status.DELIVERED

    slots.give_back(str(in_flight[0]))
    assert tasks.send_due_messages() == 0  # it waits for its turn, then the sweep sends it
    _later(monkeypatch, 120)
    assert tasks.send_due_messages() == 1
    sent = [request["headers"]["webhook-id"] for request in receiver.requests]
    assert sent == [other.msg_id, waiting.msg_id]
