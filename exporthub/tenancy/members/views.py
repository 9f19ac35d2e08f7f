"""The Members page: everyone in the tenant sees who is in it; Admins add, re-role and remove."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from ..access import TenantRequest, tenant_view
from ..auditlog import actor_for
from ..forms import AddMemberForm, RoleForm
from ..models import Invitation, Membership, Role
from .rules import change_role, invite_member, remove_member, revoke_invitation


def _page(request: TenantRequest, form: AddMemberForm, status: int = 200) -> HttpResponse:
    members = (
        Membership.objects.filter(tenant=request.tenant)
        .select_related("user")
        .order_by("user__email")
    )
    pending = Invitation.objects.pending().filter(tenant=request.tenant)
    context = {"members": members, "form": form, "roles": Role.choices, "pending": pending}
    return render(request, "tenancy/members.html", context, status=status)


def _member(request: TenantRequest, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "tenant"), tenant=request.tenant, pk=pk
    )


@tenant_view
def members(request: TenantRequest) -> HttpResponse:
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            return _page(request, form, status=400)
        try:
            invited = invite_member(
                request.tenant, form.cleaned_data["email"], form.cleaned_data["role"],
                actor_for(request),
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error("email", exc)
            return _page(request, form, status=400)
        # The same answer whether or not the address has an account.
        messages.success(request, f"Invited {invited.email}: they join once they accept.")
        return redirect("members", request.tenant.slug)
    return _page(request, form)


@tenant_view(admin_only=True)
def member_role(request: TenantRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    if request.method != "POST":
        return redirect("members", request.tenant.slug)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose Admin or Viewer.")
        change_role(membership, form.cleaned_data["role"], actor_for(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{membership.user.email} is now {membership.get_role_display()}."
        )
    if membership.user == request.user and membership.role != Role.ADMIN:
        return redirect("dashboard", request.tenant.slug)
    return redirect("members", request.tenant.slug)


@tenant_view(admin_only=True)
def member_remove(request: TenantRequest, pk: int) -> HttpResponse:
    membership = _member(request, pk)
    if request.method != "POST":
        return render(request, "tenancy/member_remove.html", {"member": membership})
    try:
        remove_member(membership, actor_for(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members", request.tenant.slug)
    if membership.user == request.user:
        messages.success(request, f"You left {request.tenant.name}.")
        return redirect("home")
    messages.success(request, f"Removed {membership.user.email} from {request.tenant.name}.")
    return redirect("members", request.tenant.slug)


@tenant_view(admin_only=True)
def invitation_revoke(request: TenantRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, tenant=request.tenant, pk=pk)
    if request.method == "POST":
        if revoke_invitation(invitation, actor_for(request)):
            messages.success(request, f"Revoked the invitation of {invitation.email}.")
        else:
            messages.info(request, f"The invitation of {invitation.email} had already ended.")
    return redirect("members", request.tenant.slug)
