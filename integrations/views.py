"""Pages of a tenant's integrations."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from exporthub.tenancy.access import TenantRequest, tenant_view


@tenant_view
def dashboard(request: TenantRequest) -> HttpResponse:
    return render(request, "integrations/dashboard.html", {"integrations": []})
