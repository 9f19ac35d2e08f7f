"""Adding, inviting, re-roling and removing a tenant's members; a tenant never loses its last
Admin, even when two Admins demote each other at the same moment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..auditlog import Actor, record
from ..invitations.email import send_invitation
from ..models import Invitation, Membership, Role, Tenant, User


class LastAdminError(ValidationError):
    pass


def invite_member(tenant: Tenant, email: str, role: str, actor: Actor) -> Invitation:
    """Email an invitation; the person joins only by accepting it as themselves.

    Whether the address has an account changes nothing the Admin sees (no account oracle): the
    page, the audit entry and the members list are the same, and so is the email."""
    email = email.strip().lower()
    with transaction.atomic():
        if Membership.objects.filter(tenant=tenant, user__email__iexact=email).exists():
            raise ValidationError(f"{email} is already a member of {tenant.name}.")
        # A new invitation replaces any earlier one still open for this address.
        Invitation.objects.filter(tenant=tenant, email=email, accepted_at=None).update(
            expires_at=timezone.now()
        )
        invitation, token = Invitation.issue(tenant, email, role, actor.user)
        record(tenant, "member.invited", actor, target_type="invitation",
               target_id=invitation.pk, target_label=email, changes={"role": role})  # fmt: skip
        transaction.on_commit(lambda: send_invitation(invitation, token))
    return invitation


def accept_invitation(invitation: Invitation, user: User) -> Membership | None:
    """The invitee, logged in as the invited address, joins; None if the invitation was used
    or expired meanwhile (a conditional update picks one winner)."""
    if user.email.lower() != invitation.email:
        raise ValidationError("This invitation is for another email address.")
    with transaction.atomic():
        won = (
            Invitation.objects.pending().filter(pk=invitation.pk).update(accepted_at=timezone.now())
        )
        if not won:
            return None
        membership, _ = Membership.objects.get_or_create(
            tenant=invitation.tenant, user=user, defaults={"role": invitation.role}
        )
        record(invitation.tenant, "member.joined", Actor(user=user, label=user.email),
               target_type="member", target_id=membership.pk, target_label=user.email,
               changes={"role": membership.role})  # fmt: skip
    return membership


def revoke_invitation(invitation: Invitation, actor: Actor) -> bool:
    """End a pending invitation; False if it was accepted or ended meanwhile."""
    with transaction.atomic():
        ended = (
            Invitation.objects.pending().filter(pk=invitation.pk).update(expires_at=timezone.now())
        )
        if ended:
            record(invitation.tenant, "member.invitation_revoked", actor, target_type="invitation",
                   target_id=invitation.pk, target_label=invitation.email,
                   changes={"role": invitation.role})  # fmt: skip
    return bool(ended)


def _end_invitations_of(membership: Membership) -> None:
    """An Admin who stops being one takes their pending invitations along (for good: made Admin
    again, they do not come back)."""
    Invitation.objects.filter(
        tenant=membership.tenant, invited_by=membership.user, accepted_at=None,
        expires_at__gt=timezone.now(),
    ).update(expires_at=timezone.now())  # fmt: skip


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
            _end_invitations_of(membership)
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
            _end_invitations_of(membership)
        record(membership.tenant, "member.removed", actor, target_type="member",
               target_id=membership.pk, target_label=membership.user.email,
               changes={"role": membership.role})  # fmt: skip
        membership.delete()
