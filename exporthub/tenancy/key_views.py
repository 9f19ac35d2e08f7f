"""The API keys page (Admins only): create a key (shown once), see when each was used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .access import TenantRequest, tenant_view
from .auditlog import actor_for, record
from .forms import ApiKeyForm
from .models import ApiKey
from .services import issue_api_key

NEW_KEY_SESSION_KEY = "new_api_key"


@never_cache  # the page that shows a new key must not stay in any cache
@tenant_view(admin_only=True)
def api_keys(request: TenantRequest) -> HttpResponse:
    """Create, then redirect: the key is shown by the next GET only, so a reload makes no key."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _, raw = issue_api_key(
            request.tenant, form.cleaned_data["role"], form.cleaned_data["name"],
            actor_for(request),
        )  # fmt: skip
        # Kept in the session only until the redirect's GET pops it.
        request.session[NEW_KEY_SESSION_KEY] = {"tenant": request.tenant.pk, "key": raw}
        return redirect("api-keys", request.tenant.slug)
    shown = request.session.pop(NEW_KEY_SESSION_KEY, None) if request.method == "GET" else None
    new_key = shown["key"] if shown and shown["tenant"] == request.tenant.pk else ""
    keys = ApiKey.objects.filter(tenant=request.tenant).select_related("created_by")
    context = {"keys": keys, "form": form, "new_key": new_key}
    return render(request, "tenancy/api_keys.html", context, status=400 if form.is_bound else 200)


@tenant_view(admin_only=True)
def api_key_revoke(request: TenantRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, tenant=request.tenant, pk=pk)
    if request.method != "POST":
        return redirect("api-keys", request.tenant.slug)
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        record(request.tenant, "api_key.revoked", actor_for(request), target_type="api_key",
               target_id=key.pk, target_label=str(key))  # fmt: skip
        messages.success(request, f"Revoked {key}. Requests with it now answer 401.")
    return redirect("api-keys", request.tenant.slug)
