"""Workers send stored messages: one task per message, handed out when it is stored and by a
sweep every minute for retries and for messages whose worker died (within its tenant's free
notification places)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from exporthub import queues
from exporthub.bulkheads import slots

from .delivery import deliver, due_by_tenant, give_up_overdue, tenant_of, wait_for_a_place


@shared_task(name="webhooks.deliver")
def deliver_message(message_id: int) -> str:
    """Send one message within its tenant's places, so that one tenant's slow receivers hold
    at most NOTIFY_CONCURRENCY_PER_TENANT workers."""
    tenant_id = tenant_of(message_id)
    if tenant_id is None:
        return "gone"
    places = settings.NOTIFY_CONCURRENCY_PER_TENANT
    with slots.place(tenant_id, queues.NOTIFICATIONS, places) as free:
        return deliver(message_id) if free else wait_for_a_place(message_id)


@shared_task(name="webhooks.send_due")
def send_due_messages() -> int:
    """Each due message to a task of its own: a slow receiver holds only its own delivery, not
    the sweep and every message behind it. At most a tenant's free places are handed out, the
    tenants' oldest first in turn, so that one tenant's backlog neither floods the queue nor goes
    ahead of other tenants' messages; the rest wait for the next sweep. The number handed out."""
    give_up_overdue()
    due = due_by_tenant()
    free = slots.free_places(due, queues.NOTIFICATIONS, settings.NOTIFY_CONCURRENCY_PER_TENANT)
    turns = sorted(
        (rank, message_id)
        for tenant_id, ids in due.items()
        for rank, message_id in enumerate(ids[: free[tenant_id]])
    )
    for _, message_id in turns:
        deliver_message.delay(message_id)
    return len(turns)
