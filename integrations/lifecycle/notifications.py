"""Emails to an integration's notification addresses, stored in the outbox with the change."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from exporthub.outbox.sending import enqueue

from ..models import Integration


def integration_link(integration: Integration) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "integration-detail", args=[integration.tenant.slug, integration.pk]
    )


def notify(
    integration: Integration, topic: str, subject: str, template: str, **context: Any
) -> None:
    """Render `emails/<template>.txt|.html` for the integration's addresses and store it; a
    worker sends it after the caller's transaction commits."""
    context = {"integration": integration, "link": integration_link(integration), **context}
    enqueue(
        tenant=integration.tenant,
        topic=topic,
        subject=subject,
        text=render_to_string(f"emails/{template}.txt", context),
        html=render_to_string(f"emails/{template}.html", context),
        recipients=list(integration.config.get("notification_emails") or []),
    )


def notify_deactivated(integration: Integration, step: dict[str, Any] | None, reason: str) -> None:
    """Integration, failed check, provider code and the fix, with a link to verify again."""
    notify(
        integration,
        "integration.deactivated",
        f"ExportHub: export “{integration.name}” deactivated: storage access failed",
        "deactivated",
        step=step or {},
        reason=reason,
    )
