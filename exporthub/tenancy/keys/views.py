"""The API keys page (Admins only): create a key (shown once), see when each was used, revoke."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..access import TenantRequest, tenant_view
from ..auditlog import actor_for, record
from ..forms import ApiKeyForm
from ..models import ApiKey
from .issuing import issue_api_key

# Ids of the create forms already used in this session (not secrets): a resubmitted form, e.g.
# a reload of the page that shows a new key, creates no second key.
USED_FORMS_SESSION_KEY = "api_key_forms_used"
USED_FORMS_KEPT = 20


@never_cache  # the page that shows a new key must not stay in any cache
@tenant_view(admin_only=True)
def api_keys(request: TenantRequest) -> HttpResponse:
    """Create a key and show it in the answer to the POST itself: it is never stored anywhere
    in the clear, not even in the session between a redirect and its GET."""
    form = ApiKeyForm(request.POST or None)
    new_key, status = "", 200
    if request.method == "POST":
        status = 400
        form_id = request.POST.get("form_id", "")
        used = request.session.get(USED_FORMS_SESSION_KEY, [])
        if form_id and form_id in used:
            messages.info(request, "That key was already created and shown once; create another.")
            form, status = ApiKeyForm(), 200
        elif form.is_valid():
            _, new_key = issue_api_key(
                request.tenant, form.cleaned_data["role"], form.cleaned_data["name"],
                actor_for(request),
            )  # fmt: skip
            request.session[USED_FORMS_SESSION_KEY] = [*used, form_id][-USED_FORMS_KEPT:]
            form, status = ApiKeyForm(), 201
    keys = ApiKey.objects.filter(tenant=request.tenant).select_related("created_by")
    context = {"keys": keys, "form": form, "new_key": new_key, "form_id": uuid.uuid4().hex}
    return render(request, "tenancy/api_keys.html", context, status=status)


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
