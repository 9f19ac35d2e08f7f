"""Storing notification emails.

A row is written in the transaction of the change that causes it, so no state change commits
without its email and no email leaves for a change that rolled back; a worker sends it
(delivery.py) once that transaction commits.
"""

from __future__ import annotations

from django.db import transaction

from exporthub.tenancy.models import Tenant

from .models import OutgoingEmail
from .tasks import send_email


def enqueue(
    *, subject: str, text: str, html: str, recipients: list[str], topic: str,
    tenant: Tenant | None = None,
) -> OutgoingEmail | None:  # fmt: skip
    """Store the email in the current transaction; a worker sends it once that commits."""
    if not recipients:
        return None
    email = OutgoingEmail.objects.create(
        tenant=tenant, topic=topic, subject=subject, text=text, html=html, recipients=recipients
    )
    transaction.on_commit(lambda: send_email.delay(email.pk))
    return email
