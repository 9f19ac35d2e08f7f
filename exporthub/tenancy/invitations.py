"""The email a new member receives: a set-password link for a new account, a login link else."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, User


def set_password_link(user: User) -> str:
    """Django's password-reset token: single use, expires after PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL.rstrip("/") + reverse("set-password", args=[uid, token])


def send_invitation(membership: Membership, *, invited: bool) -> None:
    user, tenant = membership.user, membership.tenant
    context = {
        "membership": membership,
        "tenant": tenant,
        "link": set_password_link(user) if invited else settings.SITE_URL.rstrip("/") + "/",
        "invited": invited,
        "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    message = EmailMultiAlternatives(
        subject=f"ExportHub: you were added to {tenant.name}",
        body=render_to_string("emails/invitation.txt", context),
        to=[user.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()
