"""Workers send stored emails: one task per new email, and a sweep every minute for retries."""

from __future__ import annotations

from celery import shared_task

from .models import OutgoingEmail
from .sending import deliver, due_ids


@shared_task(name="outbox.send")
def send_email(email_id: int) -> str:
    return deliver(email_id)


@shared_task(name="outbox.send_due")
def send_due_emails() -> int:
    """Every email whose retry time came, or whose worker died mid-send."""
    sent = 0
    for email_id in due_ids():
        sent += deliver(email_id) == OutgoingEmail.Status.SENT
    return sent
