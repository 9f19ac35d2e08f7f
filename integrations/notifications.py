"""Emails to an integration's notification addresses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Integration


def send_deactivation_email(
    integration: Integration, step: dict[str, Any] | None, reason: str
) -> None:
    """Integration, failed check, provider code and the fix, with a link to verify again."""
    recipients = integration.config.get("notification_emails") or []
    if not recipients:
        return
    link = settings.SITE_URL.rstrip("/") + reverse(
        "integration-detail", args=[integration.tenant.slug, integration.pk]
    )
    context = {"integration": integration, "step": step or {}, "reason": reason, "link": link}
    message = EmailMultiAlternatives(
        subject=f"ExportHub: export “{integration.name}” deactivated: storage access failed",
        body=render_to_string("emails/deactivated.txt", context),
        to=recipients,
    )
    message.attach_alternative(render_to_string("emails/deactivated.html", context), "text/html")
    message.send()
