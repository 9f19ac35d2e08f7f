"""An endpoint an integration's events go to, each message to it, and each delivery attempt."""

from __future__ import annotations

from typing import Any

from django.db import models

from exporthub.crypto import decrypt_json, encrypt_json
from integrations.models import Integration


class Endpoint(models.Model):
    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Webhook (signed JSON)"
        SLACK = "slack", "Slack incoming webhook"

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="webhooks", help_text="Whose events."
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, help_text="How it is sent.")
    # The URL (a Slack URL is itself a credential) and the signing secret, MultiFernet-encrypted.
    encrypted_secrets = models.TextField(help_text="URL and signing secret, encrypted.")
    url_hint = models.CharField(max_length=300, help_text="The URL's host and a masked rest.")
    events = models.JSONField(default=list, help_text="Event types sent here.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was added.")

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = "webhook"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url_hint}"

    def get_secrets(self) -> dict[str, Any]:
        return decrypt_json(self.encrypted_secrets)

    def set_secrets(self, url: str, secret: str) -> None:
        self.encrypted_secrets = encrypt_json({"url": url, "secret": secret})


class Message(models.Model):
    """One event for one endpoint: stored with the change that caused it, sent until the
    receiver answers 2xx or WEBHOOK_RETRY_HOURS pass. `msg_id` is the `webhook-id` header:
    the same on every attempt, so the receiver can drop repeats."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"  # retried for WEBHOOK_RETRY_HOURS without a 2xx

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="messages", help_text="Where it goes."
    )
    msg_id = models.CharField(max_length=40, unique=True, help_text="The webhook-id header.")
    event = models.CharField(max_length=40, help_text="Event type, e.g. window.delivered.")
    payload = models.JSONField(help_text="The body: type, timestamp, data (never a secret).")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text="State."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker sent it.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Retry not before.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A sending message whose lease expired is sent again."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the event happened.")
    delivered_at = models.DateTimeField(null=True, blank=True, help_text="First 2xx answer.")

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("status", "next_attempt_at")),)

    def __str__(self) -> str:
        return f"{self.event} {self.msg_id} ({self.status})"


class Attempt(models.Model):
    """One delivery attempt, for the integration page's delivery log."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attempt_log", help_text="What was sent."
    )
    at = models.DateTimeField(auto_now_add=True, help_text="When it was sent.")
    status_code = models.PositiveIntegerField(null=True, blank=True, help_text="HTTP status.")
    latency_ms = models.PositiveIntegerField(help_text="Until the answer or the failure.")
    error = models.CharField(max_length=300, blank=True, help_text="Why it failed, if it did.")

    class Meta:
        ordering = ("-at", "-pk")

    def __str__(self) -> str:
        return f"{self.message_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code}"
