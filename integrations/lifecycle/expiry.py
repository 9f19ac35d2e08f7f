"""Credentials that expire (an Azure SAS token): a warning at save and in Verify when fewer than
30 days are left, and one reminder email 14 days and one 2 days before (docs/integrations.md).

The expiry is read from the token when it is saved and kept beside it in the clear (a date is
not a secret), so the daily reminder pass needs no decryption."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from ..models import Integration, State
from .notifications import notify
from .signals import credentials_expiring

WARN_WITHIN = timedelta(days=30)
REMINDERS = (timedelta(days=2), timedelta(days=14))  # the nearest first


def warning(integration: Integration, now: datetime) -> str:
    """A sentence for the page and Verify when the credentials expire within 30 days."""
    expiry = integration.credentials_expire_at
    if expiry is None or expiry - now > WARN_WITHIN:
        return ""
    days = max((expiry - now).days, 0)
    credentials = integration.destination_class.expiring_credentials()
    return (
        f"The {credentials} expires on {expiry:%Y-%m-%d %H:%M} UTC (in {days} day(s)); exports "
        "stop then. Generate a token with a distant expiry and save it here."
    )


def send_reminders(now: datetime) -> int:
    """One email per threshold crossed for the token in use; the number stored."""
    sent = 0
    due = Integration.objects.filter(
        ~Q(state=State.NEW),
        credentials_expire_at__gt=now,
        credentials_expire_at__lte=now + REMINDERS[-1],
    ).select_related("tenant")
    for integration in due:
        expiry = integration.credentials_expire_at or now  # never None: filtered above
        left = expiry - now
        threshold = next(t for t in REMINDERS if left <= t)
        days = threshold.days
        reminded = integration.expiry_reminded_days
        if reminded is not None and reminded <= days:
            continue
        # One winner even with several schedulers: the update that changed the row sends.
        won = Integration.objects.filter(pk=integration.pk, expiry_reminded_days=reminded).update(
            expiry_reminded_days=days
        )
        if won:
            credentials = integration.destination_class.expiring_credentials()
            credentials_expiring.send(
                sender=Integration, integration=integration, expires_at=expiry, days_left=left.days
            )
            notify(
                integration,
                "credentials.expiring",
                f"ExportHub: the {credentials} of “{integration.name}” expires in {left.days} "
                "day(s)",
                "credentials_expiring",
                expires_at=expiry,
                days=left.days,
                credentials=credentials,
            )
            sent += 1
    return sent
