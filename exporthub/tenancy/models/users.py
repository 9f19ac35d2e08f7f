"""Tenants, their users and the role each user holds in each tenant."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.crypto import salted_hmac

# seat_id is written into manifests as a JSON integer and read by consumers as a Java int.
SEAT_ID_MAX = 2_147_483_647


class UserManager(DjangoUserManager["User"]):
    """Users log in with their email address, compared case-insensitively."""

    use_in_migrations = True

    def _create_user_object(self, email: str, password: str | None, **extra_fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)  # None makes it unusable, as Django's own manager does
        return user

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:
        user = self._create_user_object(email, password, **extra_fields)
        user.save(using=self._db)
        return user

    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> User:
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who logs in; tenants are reached through memberships."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(
        "email address", unique=True, help_text="Login name; stored in lower case."
    )

    sessions_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Raised when two-factor sign-in is turned on or off: every other session ends.",
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, and of the epoch once raised: a session whose hash no
        longer matches is logged out (epoch 0 keeps sessions from before this field valid)."""
        value = (
            self.password if not self.sessions_epoch else f"{self.password}:{self.sessions_epoch}"
        )
        salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()


def new_external_id() -> str:
    return f"exporthub-{secrets.token_hex(16)}"


class Tenant(models.Model):
    """An ad network, advertiser or platform seat whose data ExportHub exports."""

    name = models.CharField(max_length=100, unique=True, help_text="Display name.")
    slug = models.SlugField(
        max_length=100, unique=True, help_text="URL name, the name slugified at creation."
    )
    seat_id = models.PositiveIntegerField(
        unique=True,
        validators=[MinValueValidator(1), MaxValueValidator(SEAT_ID_MAX)],
        help_text="Seat / member id written into manifests and data file names.",
    )
    external_id = models.CharField(
        max_length=64,
        unique=True,
        default=new_external_id,
        editable=False,
        help_text="External ID ExportHub presents when it assumes a customer's IAM role.",
    )
    require_admin_2fa = models.BooleanField(
        default=False,
        help_text="Admins must log in with two-factor sign-in to act in this tenant.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the tenant was created.")

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role in one tenant."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", help_text="The member."
    )
    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="memberships", help_text="The tenant."
    )
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        default=Role.VIEWER,
        help_text="Admins change things; Viewers read everything and change nothing.",
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When the member was added.")

    class Meta:
        ordering = ("tenant__name",)
        constraints = (
            models.UniqueConstraint(fields=("user", "tenant"), name="one_membership_per_tenant"),
        )

    def __str__(self) -> str:
        return f"{self.user} in {self.tenant} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN
