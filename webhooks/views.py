"""The integration page's webhook actions: add (the secret shown once), delete, send a test."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from exporthub.api.throttling import WRITE, throttled_page
from exporthub.tenancy.access import TenantRequest, tenant_view
from exporthub.tenancy.auditlog import actor_for
from integrations.models import get_integration

from .forms import EndpointForm
from .models import Endpoint
from .services import add_endpoint, remove_endpoint, send_test


def _back(request: TenantRequest, pk: int) -> HttpResponse:
    return redirect(reverse("integration-detail", args=[request.tenant.slug, pk]) + "#webhooks")


@never_cache  # the page that shows the new secret must not stay in any cache
@tenant_view(admin_only=True)
def webhook_add(request: TenantRequest, pk: int) -> HttpResponse:
    integration = get_integration(request.tenant, pk)
    if request.method != "POST":
        return _back(request, pk)
    form = EndpointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            endpoint, secret = add_endpoint(
                integration, data["kind"], data["url"], data["events"], actor_for(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered once, never stored in the session or a message.
            context = {"integration": integration, "endpoint": endpoint, "secret": secret}
            return render(request, "webhooks/created.html", context, status=201)
    errors = "; ".join(" ".join(str(e) for e in errors) for errors in form.errors.values())
    messages.error(request, f"Webhook not added: {errors}")
    return _back(request, pk)


def _endpoint(request: TenantRequest, pk: int, endpoint_id: int) -> Endpoint:
    integration = get_integration(request.tenant, pk)
    return get_object_or_404(Endpoint, integration=integration, pk=endpoint_id)


@tenant_view(admin_only=True)
def webhook_delete(request: TenantRequest, pk: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, pk, endpoint_id)
    if request.method == "POST":
        remove_endpoint(endpoint, actor_for(request))
        messages.success(request, f"Removed the webhook {endpoint.url_hint}.")
    return _back(request, pk)


@tenant_view(admin_only=True)
@throttled_page(WRITE)
def webhook_test(request: TenantRequest, pk: int, endpoint_id: int) -> HttpResponse:
    endpoint = _endpoint(request, pk, endpoint_id)
    if request.method == "POST":
        message = send_test(endpoint)
        messages.success(
            request, f"Test event {message.msg_id} queued; its delivery appears below."
        )
    return _back(request, pk)
