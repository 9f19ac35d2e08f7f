"""An invitation to join a tenant: the membership exists only once the invitee accepts it."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .users import Membership, Role, Tenant


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        """Not accepted, not expired, and its inviter still an Admin of the tenant: an invitation
        carries its inviter's authority, so it dies with it (removed, demoted or deleted)."""
        inviter_is_admin = Membership.objects.filter(
            user=OuterRef("invited_by"), tenant=OuterRef("tenant"), role=Role.ADMIN
        )
        return self.filter(
            Exists(inviter_is_admin), accepted_at=None, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="invitations", help_text="To join."
    )
    email = models.EmailField(help_text="Who is invited (lower case); they accept as themselves.")
    role = models.CharField(max_length=10, choices=Role.choices, help_text="Role once accepted.")
    token_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the link's token; the token is not kept."
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="The Admin who invited.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was sent.")
    expires_at = models.DateTimeField(help_text="The link works until then.")
    accepted_at = models.DateTimeField(null=True, blank=True, help_text="When it was accepted.")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.tenant}"

    @classmethod
    def issue(
        cls, tenant: Tenant, email: str, role: str, invited_by: object
    ) -> tuple[Invitation, str]:
        """A new invitation and its raw token (emailed once, stored only hashed)."""
        token = secrets.token_urlsafe(32)
        lifetime = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        invitation = cls.objects.create(
            tenant=tenant, email=email, role=role, token_hash=token_hash(token),
            invited_by=invited_by, expires_at=timezone.now() + lifetime,
        )  # fmt: skip
        return invitation, token

    @classmethod
    def open(cls, token: str) -> Invitation | None:
        """The invitation this token opens, if it is still valid."""
        return (
            cls.objects.pending()
            .select_related("tenant")
            .filter(token_hash=token_hash(token))
            .first()
        )
