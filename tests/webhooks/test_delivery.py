"""Signed deliveries to a real HTTPS receiver: every event type, redeliveries with one
webhook-id, retries on 500s and timeouts, giving up after WEBHOOK_RETRY_HOURS (issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from exporthub.metrics import WEBHOOK_ATTEMPTS
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.runs.export import execute
from integrations.lifecycle.expiry import send_reminders
from integrations.lifecycle.state import activate, deactivate
from integrations.models import Integration, State
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active, events, run_exports
from tests.support.webhook_receiver import Receiver
from webhooks.delivery import deliver
from webhooks.models import Message

from .conftest import subscribe

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def test_window_delivered_is_signed_and_carries_the_manifest(
    s3_env: str, tenant: Tenant, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    integration = active(tenant, "s3", "clicks", T0, bucket=new_bucket(s3_env))
    subscribe(integration, receiver)
    sent = events(tenant, "clicks", 120, T0, T0 + timedelta(minutes=15))
    run_exports("2026-11-22T10:16:00Z", django_capture_on_commit_callbacks)
    assert receiver.bad_signatures == 0
    [event] = receiver.events.values()
    run = ExportRun.objects.get(integration=integration, window_start=T0)
    assert event["type"] == "window.delivered"
    data = event["data"]
    assert data["integration"]["id"] == integration.pk and data["rows"] == len(sent)
    assert data["files"] == run.files and data["manifest"] == run.manifest
    assert data["location"] == f"s3://{integration.config['bucket']}" and data["path"] == run.path
    assert data["window_start"] == "2026-11-22T10:00:00+00:00"
    headers = receiver.requests[0]["headers"]
    assert headers["webhook-id"].startswith("msg_") and headers["webhook-signature"].startswith(
        "v1,"
    )
    assert Message.objects.get().status == Message.Status.DELIVERED


def _message(integration: Integration, receiver: Receiver) -> Message:
    subscribe(integration, receiver)
    deactivate(integration, Actor.system(), "Listing: AccessDenied", {"name": "Listing"})
    return Message.objects.get(event="integration.deactivated")


def _due_now(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_a_500_is_retried_with_the_same_webhook_id(tenant: Tenant, receiver: Receiver) -> None:
    integration = active(tenant, "s3", "clicks", T0)
    receiver.answers = [500, 200]
    message = _message(integration, receiver)
    assert deliver(message.pk) == Message.Status.PENDING
    message.refresh_from_db()
    assert message.next_attempt_at is not None and message.attempts == 1
    assert deliver(message.pk) == "not claimed"  # not before its retry time
    _due_now(message)
    assert deliver(message.pk) == Message.Status.DELIVERED
    ids = {request["headers"]["webhook-id"] for request in receiver.requests}
    assert ids == {message.msg_id} and len(receiver.requests) == 2
    assert list(receiver.events) == [message.msg_id]  # the receiver keeps it once
    log = [(a.status_code, a.error) for a in message.attempt_log.order_by("pk")]
    assert log == [(500, "HTTP 500"), (200, "")]
    counted = WEBHOOK_ATTEMPTS.labels(
        kind="webhook", event="integration.deactivated", outcome="failed"
    )._value.get()
    assert counted >= 1


def test_a_receiver_that_does_not_answer_in_time_is_retried(
    tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    integration = active(tenant, "s3", "clicks", T0)
    receiver.answers = [("sleep", 2), 200]
    message = _message(integration, receiver)
    assert deliver(message.pk) == Message.Status.PENDING
    assert message.attempt_log.get().error == "Timeout: no answer in time"
    _due_now(message)
    assert deliver(message.pk) == Message.Status.DELIVERED


def test_delivery_gives_up_after_the_retry_period(
    tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    integration = active(tenant, "s3", "clicks", T0)
    receiver.answers = [503]
    message = _message(integration, receiver)
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    )
    assert deliver(message.pk) == Message.Status.FAILED


def test_every_event_type_reaches_the_receiver_once(
    s3_env: str,
    tenant: Tenant,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WEBHOOK_RUN_FAILED_ATTEMPTS = 2
    integration = active(tenant, "s3", "clicks", T0, bucket="no-such-bucket-here")
    subscribe(integration, receiver)
    run = ExportRun.objects.create(
        integration=integration, window_start=T0, window_end=T0 + timedelta(minutes=15)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # the bucket is missing: every attempt fails
            ExportRun.objects.filter(pk=run.pk).update(next_attempt_at=None)
            Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
            execute(run.pk)
        integration.refresh_from_db()
        if integration.state == State.ACTIVE:
            deactivate(integration, Actor.system(), "Listing: AccessDenied", {"name": "Listing"})
        activate(integration, Actor.system())
        Integration.objects.filter(pk=integration.pk).update(
            credentials_expire_at=timezone.now() + timedelta(days=5)
        )
        send_reminders(timezone.now())
    kinds = sorted(event["type"] for event in receiver.events.values())
    assert kinds.count("run.failed") == 1  # at the 2nd failed attempt, not at the 3rd
    assert {"integration.deactivated", "integration.reactivated"} <= set(kinds)
    failed = next(e for e in receiver.events.values() if e["type"] == "run.failed")
    assert failed["data"]["attempts"] == 2 and failed["data"]["error"]["code"]
    assert receiver.bad_signatures == 0


def test_credentials_expiring_is_sent_with_the_reminder(
    tenant: Tenant, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    integration = active(tenant, "s3", "clicks", T0)
    subscribe(integration, receiver)
    expires = timezone.now() + timedelta(days=6, hours=1)
    Integration.objects.filter(pk=integration.pk).update(credentials_expire_at=expires)
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(timezone.now())
        send_reminders(timezone.now())  # the same threshold: no second event
    [event] = receiver.events.values()
    assert event["type"] == "credentials.expiring" and event["data"]["days_left"] == 6


def test_slack_gets_a_readable_message_and_only_what_needs_a_person(
    tenant: Tenant, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    integration = active(tenant, "s3", "clicks", T0)
    endpoint = subscribe(integration, receiver, kind="slack")
    assert "window.delivered" not in endpoint.events
    with django_capture_on_commit_callbacks(execute=True):
        deactivate(integration, Actor.system(), "Listing: AccessDenied", {"hint": "Fix it."})
    [request] = receiver.requests
    text = request["body"].decode()
    assert integration.name in text and "deactivated" in text and "Fix it." in text
    assert "webhook-signature" not in request["headers"]


def test_slack_names_the_expiring_credentials_as_their_cloud_declares_them() -> None:
    from webhooks.slack import text

    data = {"integration": {"name": "Conversions", "destination": "azure"},
            "expires_at": "2026-12-20T10:00:00Z", "days_left": 13}  # fmt: skip
    message = text({"type": "credentials.expiring", "data": data})
    assert "*Conversions*: its SAS token expires 2026-12-20T10:00:00Z (in 13 day(s))" in message


def test_a_url_that_turned_private_is_not_called(
    tenant: Tenant, receiver: Receiver, settings: Any
) -> None:
    """Allowed when saved; at delivery the host is checked again (DNS may answer otherwise)."""
    integration = active(tenant, "s3", "clicks", T0)
    message = _message(integration, receiver)
    settings.WEBHOOK_ALLOWED_HOSTS = []  # localhost now counts as what it is: loopback
    assert deliver(message.pk) == Message.Status.PENDING
    assert receiver.requests == []
    assert "private, loopback" in message.attempt_log.get().error


def test_a_lost_lease_delivers_again_after_it_expires(tenant: Tenant, receiver: Receiver) -> None:
    integration = active(tenant, "s3", "clicks", T0)
    message = _message(integration, receiver)
    # A worker claimed it and died before recording the answer.
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert deliver(message.pk) == Message.Status.DELIVERED


def test_the_sweep_sends_what_is_due(tenant: Tenant, receiver: Receiver) -> None:
    from webhooks.tasks import send_due_messages

    integration = active(tenant, "s3", "clicks", T0)
    _message(integration, receiver)  # stored; its immediate send was lost with the commit hook
    assert send_due_messages() == 1 and len(receiver.events) == 1


def test_key_rotation_reencrypts_webhook_urls_and_secrets(
    tenant: Tenant, receiver: Receiver
) -> None:
    from io import StringIO

    from cryptography.fernet import Fernet
    from django.core.management import call_command
    from django.test import override_settings

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        endpoint = subscribe(active(tenant, "s3", "clicks", T0), receiver)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        out = StringIO()
        call_command("rotate_encryption_keys", stdout=out)
        assert "Re-encrypted 1 webhook(s); 0 already current." in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new]):
        endpoint.refresh_from_db()
        assert endpoint.get_secrets() == {"url": receiver.url, "secret": receiver.secret}
