"""Tenant selection and the tenant's own settings page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import LAST_TENANT_SESSION_KEY, TenantRequest, tenant_view
from .auditlog import actor_for, record
from .forms import TenantSettingsForm
from .models import AuditEntry, Membership, User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the tenant they used last, else their first one."""
    memberships = Membership.objects.filter(user=cast(User, request.user)).select_related("tenant")
    last = request.session.get(LAST_TENANT_SESSION_KEY)
    chosen = next((m for m in memberships if m.tenant.slug == last), None)
    chosen = chosen or next(iter(memberships), None)
    if chosen is None:
        return render(request, "tenancy/no_tenant.html")
    return redirect("dashboard", tenant_slug=chosen.tenant.slug)


@tenant_view
def tenant_settings(request: TenantRequest) -> HttpResponse:
    old_name = request.tenant.name
    form = TenantSettingsForm(request.POST or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        tenant = form.save()
        if tenant.name != old_name:
            record(tenant, "tenant.updated", actor_for(request), target_type="tenant",
                   target_id=tenant.pk, target_label=tenant.name,
                   changes={"name": {"old": old_name, "new": tenant.name}})  # fmt: skip
        messages.success(request, "Tenant settings saved.")
        return redirect("tenant-settings", tenant_slug=request.tenant.slug)
    return render(request, "tenancy/settings.html", {"form": form})


@tenant_view(admin_only=True)
def audit_log(request: TenantRequest) -> HttpResponse:
    entries = AuditEntry.objects.filter(tenant=request.tenant)
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "").strip()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    actions = (
        AuditEntry.objects.filter(tenant=request.tenant)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    context = {"page": page, "actions": actions, "action": action, "actor": actor}
    return render(request, "tenancy/audit.html", context)
