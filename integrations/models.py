"""One integration = one feed exported to one destination, with encrypted write-only secrets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import get_object_or_404

from exporthub.crypto import decrypt_json, encrypt_json
from exporthub.tenancy.models import Tenant

from .catalog import FEED_CHOICES, FEEDS, Feed
from .destinations import KIND_MAX_LENGTH, REGISTRY, get_destination
from .destinations.base import Connection, Destination
from .fields import EARLIER_MANIFEST_PATHS


def validate_destination(kind: str) -> None:
    """A kind the registry lists (not `choices=`: a new cloud needs no migration)."""
    if kind not in REGISTRY:
        raise ValidationError(f"Unknown destination {kind!r}.")


class State(models.TextChoices):
    NEW = "new", "New"
    ACTIVE = "active", "Active"
    DEACTIVATED = "deactivated", "Deactivated"


class Integration(models.Model):
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="integrations", help_text="Owner."
    )
    name = models.CharField(max_length=100, help_text="Name shown to the tenant's users.")
    feed = models.CharField(max_length=30, choices=FEED_CHOICES, help_text="Feed exported.")
    destination = models.CharField(
        max_length=KIND_MAX_LENGTH,
        validators=[validate_destination],
        help_text="Kind of cloud storage.",
    )
    config = models.JSONField(default=dict, help_text="Settings safe to show (no secrets).")
    encrypted_secrets = models.TextField(
        blank=True, editable=False, help_text="MultiFernet-encrypted JSON of the secrets."
    )
    secret_hints = models.JSONField(
        default=dict, blank=True, help_text="Masked hints of the stored secrets (…XYZ1)."
    )
    destination_key = models.CharField(
        max_length=300, db_index=True, help_text="Bucket/container identity, for uniqueness."
    )
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.NEW, help_text="Only active exports."
    )
    state_changed_at = models.DateTimeField(
        auto_now_add=True, help_text="When the state last changed."
    )
    exports_from = models.DateTimeField(
        null=True,
        blank=True,
        help_text="First window exported: the one after the first activation.",
    )
    credentials_expire_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stored credentials expire (a SAS token's se)."
    )
    expiry_reminded_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Days-before-expiry reminder last sent for them (14, 2)."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was created.")
    updated_at = models.DateTimeField(auto_now=True, help_text="When it was last changed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who created it (empty for API keys).",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who changed it last (empty for API keys).",
    )

    class Meta:
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(fields=("tenant", "name"), name="integration_name_per_tenant"),
        )
        indexes = (models.Index(fields=("tenant", "state")),)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        # Never the secrets, not even encrypted.
        return f"<Integration {self.pk} {self.destination}/{self.feed} {self.state}>"

    @property
    def feed_info(self) -> Feed:
        return FEEDS[self.feed]

    @property
    def destination_class(self) -> type[Destination]:
        return get_destination(self.destination)

    def get_destination_display(self) -> str:
        """The cloud's label, as `choices=` would give it."""
        return self.destination_class.label

    @property
    def manifest_paths(self) -> list[str]:
        """The Manifest path, then those used before in the same bucket or container."""
        return [self.config["manifest_path"], *self.config.get(EARLIER_MANIFEST_PATHS, [])]

    def connect(self) -> Connection:
        """Open the destination with this integration's config and credentials."""
        return self.destination_class.connect(
            self.config,
            self.get_secrets(),
            external_id=self.tenant.external_id,
            seat_id=self.tenant.seat_id,
        )

    def get_secrets(self) -> dict[str, Any]:
        return decrypt_json(self.encrypted_secrets)

    def set_secrets(self, secrets: dict[str, Any], hints: dict[str, str]) -> None:
        self.encrypted_secrets = encrypt_json(secrets) if secrets else ""
        self.secret_hints = hints


def get_integration(tenant: Tenant, pk: object) -> Integration:
    """The one way views fetch an integration: the current tenant's, else 404."""
    return get_object_or_404(Integration, tenant=tenant, pk=pk)


class Verification(models.Model):
    """One run of the Verify checks; steps are saved as they complete so pages can follow."""

    class Result(models.TextChoices):
        RUNNING = "running", "Running"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="verifications", help_text="Checked."
    )
    state = models.CharField(
        max_length=10, choices=Result.choices, default=Result.RUNNING, help_text="Outcome so far."
    )
    steps = models.JSONField(
        default=list, blank=True, help_text="[{name, status, ok, code, detail, hint}] in order."
    )
    requested_by = models.CharField(max_length=200, help_text="Who started it.")
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it started.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it ended.")

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            # One Verify at a time per integration, even with several web processes.
            models.UniqueConstraint(
                fields=("integration",),
                condition=models.Q(state="running"),
                name="one_running_verification_per_integration",
            ),
        )

    def __str__(self) -> str:
        return f"Verification {self.pk} of {self.integration_id}: {self.state}"
