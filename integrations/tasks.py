"""Celery tasks: ids in, plain functions do the work."""

from __future__ import annotations

from celery import shared_task

from .verification import run_verification


@shared_task(name="integrations.verify")
def verify_integration(verification_id: int) -> str:
    """Run a queued Verify; redelivery after a crash simply runs the checks again."""
    return str(run_verification(verification_id).state)


@shared_task(name="integrations.expiry_reminders")
def expiry_reminders() -> int:
    """Daily: reminders for credentials that expire within 14 and 2 days."""
    from django.utils import timezone

    from .expiry import send_reminders

    return send_reminders(timezone.now())
