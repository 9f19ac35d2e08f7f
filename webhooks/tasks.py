"""Workers send stored messages: one task per new message, and a sweep every minute for
retries and for messages whose worker died."""

from __future__ import annotations

from celery import shared_task

from .delivery import deliver, due_ids
from .models import Message


@shared_task(name="webhooks.deliver")
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


@shared_task(name="webhooks.send_due")
def send_due_messages() -> int:
    delivered = 0
    for message_id in due_ids():
        delivered += deliver(message_id) == Message.Status.DELIVERED
    return delivered
