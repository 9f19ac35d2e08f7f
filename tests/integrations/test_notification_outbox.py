"""A deactivation email outlives a mail server outage: stored with the state change, retried
until a real SMTP server on loopback takes it, and sent once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from exporthub.outbox.models import OutgoingEmail
from exporthub.outbox.tasks import send_due_emails
from exporthub.tenancy.auditlog import Actor
from exporthub.tenancy.models import Tenant
from integrations.lifecycle.state import deactivate
from integrations.models import Integration, State
from tests.support.integrations import make_integration
from tests.support.services import free_port
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.django_db
STEP = {"name": "Write a test object", "code": "AccessDenied", "hint": "Grant s3:PutObject."}


@pytest.fixture
def smtp_port(settings: Any) -> int:
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return port


def _active(tenant: Tenant) -> Integration:
    integration = make_integration(tenant, "s3", "clicks", notification_emails="ops@acme.example")
    assert isinstance(integration, Integration)
    Integration.objects.filter(pk=integration.pk).update(state=State.ACTIVE)
    integration.refresh_from_db()
    return integration


def _deactivate(integration: Integration, capture: Callable[..., Any]) -> None:
    with capture(execute=True):
        assert deactivate(integration, Actor(label="export failure"), "AccessDenied", STEP)


def test_the_email_of_a_deactivation_during_a_mail_outage_arrives_once_the_server_is_back(
    tenant: Tenant, smtp_port: int, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    integration = _active(tenant)
    _deactivate(integration, django_capture_on_commit_callbacks)  # nothing listens on the port
    email = OutgoingEmail.objects.get()
    assert email.status == "pending" and email.attempts == 1
    assert "mail server unavailable" in email.last_error
    OutgoingEmail.objects.update(next_attempt_at=None)  # its backoff has passed
    with smtp_server(smtp_port) as inbox:
        assert send_due_emails() == 1
        assert send_due_emails() == 0  # sent once
    (message,) = inbox.messages
    assert message["To"] == "ops@acme.example"
    assert integration.name in message["Subject"] and "deactivated" in message["Subject"]
    plain = message.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert "AccessDenied" in body and "Grant s3:PutObject." in body
    email.refresh_from_db()
    assert email.status == "sent" and email.sent_at is not None


def test_the_email_is_stored_with_the_state_change_and_not_without_it(
    tenant: Tenant, smtp_port: int, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    integration = _active(tenant)
    with smtp_server(smtp_port) as inbox:
        _deactivate(integration, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):  # already deactivated: no email
            assert not deactivate(integration, Actor(label="again"), "AccessDenied", STEP)
    assert len(inbox.messages) == 1
    assert OutgoingEmail.objects.get().status == "sent"


def test_a_worker_that_died_mid_send_is_replaced_after_its_lease(
    tenant: Tenant, smtp_port: int, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    integration = _active(tenant)
    with django_capture_on_commit_callbacks(execute=False):  # the send task never ran
        deactivate(integration, Actor(label="export failure"), "AccessDenied", STEP)
    OutgoingEmail.objects.update(
        status="sending", attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    with smtp_server(smtp_port) as inbox:
        assert send_due_emails() == 0  # its worker may still be talking to the server
        OutgoingEmail.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
        assert send_due_emails() == 1
    assert len(inbox.messages) == 1


def test_an_address_the_server_refuses_for_good_is_not_retried(
    tenant: Tenant, smtp_port: int, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from aiosmtpd.controller import Controller

    class Refusing:
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                              options: Any) -> str:  # fmt: skip
            return "550 No such user"

    controller = Controller(Refusing(), hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        _deactivate(_active(tenant), django_capture_on_commit_callbacks)
    finally:
        controller.stop()
    email = OutgoingEmail.objects.get()
    assert email.status == "failed" and "refused" in email.last_error
    assert send_due_emails() == 0


def test_the_sweep_hands_each_due_email_to_a_send_task_of_its_own(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    """A slow mail server holds one send, not the sweep and every email behind it."""
    from exporthub.outbox import tasks

    with django_capture_on_commit_callbacks(execute=False):  # the send task never ran
        deactivate(_active(tenant), Actor(label="export failure"), "AccessDenied", STEP)
    handed: list[int] = []
    monkeypatch.setattr(tasks.send_email, "delay", handed.append)
    assert send_due_emails() == 1
    assert handed == [OutgoingEmail.objects.get().pk]
    assert OutgoingEmail.objects.get().status == "pending"


def test_a_send_in_flight_keeps_its_email_for_as_long_as_a_send_can_last(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from exporthub import queues
    from exporthub.outbox.delivery import ROWS

    with django_capture_on_commit_callbacks(execute=False):
        deactivate(_active(tenant), Actor(label="export failure"), "AccessDenied", STEP)
    assert ROWS.claim(OutgoingEmail.objects.get().pk)
    moved = timezone.now() + queues.hard_limit(queues.NOTIFICATIONS) + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: moved)
    assert ROWS.due_ids() == []
