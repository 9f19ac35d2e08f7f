"""Workers send stored emails: one task per email, handed out when it is stored and by a sweep
every minute for retries."""

from __future__ import annotations

from celery import shared_task

from .delivery import deliver, due_ids


@shared_task(name="outbox.send")
def send_email(email_id: int) -> str:
    return deliver(email_id)


@shared_task(name="outbox.send_due")
def send_due_emails() -> int:
    """Every email whose retry time came, or whose worker died mid-send, to a task of its own
    (a slow mail server holds one send, not the sweep); the number handed out."""
    due = due_ids()
    for email_id in due:
        send_email.delay(email_id)
    return len(due)
