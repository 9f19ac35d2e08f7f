"""Creating tenants and their first Admin, shared by the commands."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from .models import SEAT_ID_MAX, Membership, Role, Tenant, User


@dataclass(frozen=True)
class NewTenant:
    tenant: Tenant
    admin: User
    admin_created: bool


def _check_tenant_fields(name: str, seat_id: int) -> str:
    """Validate name and seat id against existing tenants; return the slug."""
    slug = slugify(name)
    if not name.strip() or not slug:
        raise ValidationError("The tenant name must contain at least one letter or digit.")
    if not 1 <= seat_id <= SEAT_ID_MAX:
        raise ValidationError(f"The seat id must be between 1 and {SEAT_ID_MAX}.")
    if Tenant.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError(f"A tenant named {name.strip()!r} already exists.")
    if Tenant.objects.filter(slug=slug).exists():
        raise ValidationError(
            f"A tenant with the slug {slug!r} already exists; choose another name."
        )
    if Tenant.objects.filter(seat_id=seat_id).exists():
        raise ValidationError(f"Seat id {seat_id} already belongs to another tenant.")
    return slug


def create_tenant(name: str, seat_id: int, admin_email: str, admin_password: str) -> NewTenant:
    """Create a tenant with an Admin; an existing user keeps their password and becomes Admin."""
    slug = _check_tenant_fields(name, seat_id)
    email = admin_email.strip().lower()
    validate_email(email)
    with transaction.atomic():
        admin = User.objects.filter(email__iexact=email).first()
        admin_created = admin is None
        if admin is None:
            validate_password(admin_password, user=User(email=email))
            admin = User.objects.create_user(email=email, password=admin_password)
        tenant = Tenant.objects.create(name=name.strip(), slug=slug, seat_id=seat_id)
        Membership.objects.create(user=admin, tenant=tenant, role=Role.ADMIN)
    return NewTenant(tenant=tenant, admin=admin, admin_created=admin_created)
