"""The audit log: who changed what, when and from where; never a secret's value."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .users import Tenant


class AuditEntry(models.Model):
    """One change to an integration, a member or a key, visible to the tenant's Admins."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="audit_entries", help_text="Whose log."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, help_text="When.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The user, if a person did it.",
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who, as shown: an email, an API key or 'system'."
    )
    action = models.CharField(max_length=50, db_index=True, help_text="E.g. integration.updated.")
    target_type = models.CharField(max_length=50, help_text="Kind of object changed.")
    target_id = models.CharField(max_length=50, blank=True, help_text="Its id.")
    target_label = models.CharField(max_length=200, blank=True, help_text="Its name at the time.")
    changes = models.JSONField(
        default=dict,
        blank=True,
        help_text="Changed fields: old/new for plain values, 'changed' for secrets.",
    )
    ip = models.GenericIPAddressField(null=True, blank=True, help_text="Client IP address.")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("tenant", "-created_at")),)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
