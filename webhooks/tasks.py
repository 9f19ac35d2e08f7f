"""Workers send stored messages: one task per message, handed out when it is stored and by a
sweep every minute for retries and for messages whose worker died."""

from __future__ import annotations

from celery import shared_task

from .delivery import deliver, due_ids, give_up_overdue


@shared_task(name="webhooks.deliver")
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


@shared_task(name="webhooks.send_due")
def send_due_messages() -> int:
    """Each due message to a task of its own: a slow receiver holds only its own delivery, not
    the sweep and every message behind it. The number handed out."""
    give_up_overdue()
    due = due_ids()
    for message_id in due:
        deliver_message.delay(message_id)
    return len(due)
