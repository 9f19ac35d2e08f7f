"""Adding, inviting, re-roling and removing a tenant's members; a tenant never loses its last
Admin, even when two Admins demote each other at the same moment."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from .auditlog import Actor, record
from .invitations import send_invitation
from .models import Membership, Role, Tenant, User


class LastAdminError(ValidationError):
    pass


@dataclass(frozen=True)
class Added:
    membership: Membership
    invited: bool  # a new account was created and must set its password


def add_member(tenant: Tenant, email: str, role: str, actor: Actor) -> Added:
    """Add an existing user, or create an account and email a set-password link."""
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        invited = user is None or (not user.has_usable_password() and user.last_login is None)
        if user is None:
            user = User.objects.create_user(email=email, password=None)
        elif Membership.objects.filter(tenant=tenant, user=user).exists():
            raise ValidationError(f"{email} is already a member of {tenant.name}.")
        membership = Membership.objects.create(tenant=tenant, user=user, role=role)
        record(tenant, "member.invited" if invited else "member.added", actor,
               target_type="member", target_id=membership.pk, target_label=email,
               changes={"role": role})  # fmt: skip
        transaction.on_commit(lambda: send_invitation(membership, invited=invited))
    return Added(membership, invited)


def _lock_admins(tenant: Tenant) -> list[int]:
    """Ids of the tenant's Admin memberships, row-locked until the transaction ends."""
    admins = Membership.objects.select_for_update().filter(tenant=tenant, role=Role.ADMIN)
    return list(admins.values_list("pk", flat=True))


def _ensure_another_admin(membership: Membership) -> None:
    admins = _lock_admins(membership.tenant)
    if admins == [membership.pk]:
        raise LastAdminError(
            f"{membership.user.email} is the last Admin of {membership.tenant.name}; "
            "make another member Admin first."
        )


def change_role(membership: Membership, role: str, actor: Actor) -> Membership:
    if role not in Role.values:
        raise ValidationError("Choose Admin or Viewer.")
    old = membership.role
    if role == old:
        return membership
    with transaction.atomic():
        if old == Role.ADMIN:
            _ensure_another_admin(membership)
        membership.role = role
        membership.save(update_fields=["role"])
        record(membership.tenant, "member.role_changed", actor, target_type="member",
               target_id=membership.pk, target_label=membership.user.email,
               changes={"role": {"old": old, "new": role}})  # fmt: skip
    return membership


def remove_member(membership: Membership, actor: Actor) -> None:
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            _ensure_another_admin(membership)
        record(membership.tenant, "member.removed", actor, target_type="member",
               target_id=membership.pk, target_label=membership.user.email,
               changes={"role": membership.role})  # fmt: skip
        membership.delete()
