"""The invitation email: one link to accept, the same whether or not the address has an account
(the page behind it asks for a new password or a login, as the case may be)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Invitation


def send_invitation(invitation: Invitation, token: str) -> None:
    context = {
        "invitation": invitation,
        "tenant": invitation.tenant,
        "link": settings.SITE_URL.rstrip("/") + reverse("invitation", args=[token]),
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    message = EmailMultiAlternatives(
        subject=f"ExportHub: you are invited to {invitation.tenant.name}",
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()
