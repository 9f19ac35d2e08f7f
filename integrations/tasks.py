"""Celery tasks: ids in, plain functions do the work."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from exporthub import queues
from exporthub.bulkheads import slots
from exporthub.retry import jittered_backoff

from .models import Verification
from .verify.runs import run_verification

# A Verify whose tenant has every place taken is queued again at most this much later (jittered,
# so that a tenant's waiting Verifies do not all come back together).
WAIT = timedelta(seconds=20)


@shared_task(name="integrations.verify")
def verify_integration(verification_id: int) -> str:
    """Run a queued Verify within its tenant's places; redelivery after a crash simply runs the
    checks again."""
    tenant_id = (
        Verification.objects.filter(pk=verification_id)
        .values_list("integration__tenant_id", flat=True)
        .first()
    )
    if tenant_id is None:
        return "gone"  # the integration was deleted meanwhile
    with slots.place(tenant_id, queues.VERIFY, settings.VERIFY_CONCURRENCY_PER_TENANT) as free:
        if not free:
            delay = jittered_backoff(1, WAIT, WAIT).total_seconds()
            verify_integration.apply_async((verification_id,), countdown=delay)
            return "waiting"
        return str(run_verification(verification_id).state)


@shared_task(name="integrations.expiry_reminders")
def expiry_reminders() -> int:
    """Daily: reminders for credentials that expire within 14 and 2 days."""
    from django.utils import timezone

    from .lifecycle.expiry import send_reminders

    return send_reminders(timezone.now())
