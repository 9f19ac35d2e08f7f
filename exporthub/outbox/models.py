"""One notification email waiting for, or past, delivery."""

from __future__ import annotations

from django.db import models

from exporthub.tenancy.models import Tenant


class OutgoingEmail(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"  # the mail server refused it for good (e.g. bad address)

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        help_text="Whose notification it is.",
    )  # fmt: skip
    topic = models.CharField(max_length=60, help_text="What it is about, e.g. a deactivation.")
    subject = models.CharField(max_length=300, help_text="Subject line.")
    text = models.TextField(help_text="Plain-text body (never a secret).")
    html = models.TextField(blank=True, help_text="HTML body, if any.")
    recipients = models.JSONField(default=list, help_text="Addresses it goes to.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text="Delivery state."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker tried to send it.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Retry not before.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A sending email whose lease expired is tried again."
    )
    last_error = models.CharField(max_length=300, blank=True, help_text="Why the last try failed.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was stored.")
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the server took it.")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=("status", "next_attempt_at")),)

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"
