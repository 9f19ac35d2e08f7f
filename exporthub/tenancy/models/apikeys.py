"""Per-tenant API keys: shown once, stored as a SHA-256 hash, Admin or Viewer role."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from .users import Role, Tenant

KEY_PREFIX = "ehk_"
# Writing last_used_at on every request would turn reads into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(raw: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough; no salt or stretching needed.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """A bearer key that acts for one tenant with one role."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="api_keys", help_text="Tenant it acts for."
    )
    name = models.CharField(max_length=100, help_text="What the key is for.")
    role = models.CharField(
        max_length=10, choices=Role.choices, default=Role.VIEWER, help_text="Rights of the key."
    )
    prefix = models.CharField(max_length=16, help_text="First characters, to recognise the key.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who created it (empty when created by a command).",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was created.")
    last_used_at = models.DateTimeField(null=True, blank=True, help_text="Last request (±1 min).")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="When it was revoked.")

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @classmethod
    def issue(
        cls, tenant: Tenant, role: str, name: str, created_by: object = None
    ) -> tuple[ApiKey, str]:
        """Create a key; the raw value is returned once and never stored."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(
            tenant=tenant,
            role=role,
            name=name,
            prefix=raw[:12],
            key_hash=hash_key(raw),
            created_by=created_by,
        )
        return key, raw

    @classmethod
    def authenticate(cls, raw: str) -> ApiKey | None:
        key = (
            cls.objects.select_related("tenant")
            .filter(key_hash=hash_key(raw), revoked_at__isnull=True)
            .first()
        )
        if key is None:
            return None
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            cls.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return key
