"""Tenant selection and the tenant's own settings page."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .access import LAST_TENANT_SESSION_KEY, TenantRequest, tenant_view
from .forms import TenantSettingsForm
from .models import Membership, User


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
    form = TenantSettingsForm(request.POST or None, instance=request.tenant)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Tenant settings saved.")
        return redirect("tenant-settings", tenant_slug=request.tenant.slug)
    return render(request, "tenancy/settings.html", {"form": form})
