"""One of a tenant's places in a work class."""

from __future__ import annotations

from django.db import models

from exporthub.tenancy.models import Tenant


class Slot(models.Model):
    """Held by one task at a time, for a lease: rows in the database, so the cap holds across
    every worker on every machine, and a holder that died frees its place when the lease ends."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", help_text="Whose place it is."
    )
    work = models.CharField(max_length=20, help_text="The work class: its queue's name.")
    number = models.PositiveSmallIntegerField(help_text="Which of the tenant's places in it.")
    holder = models.CharField(max_length=32, blank=True, help_text="The task holding it, if any.")
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When a holder that died stops holding it."
    )

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("tenant", "work", "number"), name="one_slot_a_number"),
        )

    def __str__(self) -> str:
        return f"{self.work} #{self.number} of tenant {self.tenant_id}"
