"""Pages of a tenant's integrations: dashboard, New, detail, Configure, Delete."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from exporthub.api.throttling import WRITE, throttled_page
from exporthub.tenancy.access import TenantRequest, tenant_view
from exporthub.tenancy.auditlog import actor_for

from ..catalog import EXTENSIONS, FEEDS, FeedKind, file_format, operations
from ..destinations import REGISTRY
from ..fields import FEED_KEYS, LABELS
from ..filters import as_lines
from ..forms.base import IntegrationForm
from ..forms.registry import FORMS, form_class
from ..lifecycle.expiry import warning as expiry_warning
from ..lifecycle.services import delete_integration, save_integration
from ..models import Integration, Verification, get_integration
from ..paths import LAYOUTS, raw_key_pattern
from ..verify.runs import start_verification, verification_json
from .pages import FIGURES, complete_figures, detail_sections

DASHBOARD_PAGE = 50


@tenant_view
def dashboard(request: TenantRequest) -> HttpResponse:
    """One page of integrations with the figures other apps add (pages.FIGURES)."""
    now = timezone.now()
    integrations = Integration.objects.filter(tenant=request.tenant).defer("encrypted_secrets")
    for figures in FIGURES:
        integrations = figures.annotate(integrations, now)
    page = Paginator(integrations.order_by("name", "pk"), DASHBOARD_PAGE).get_page(
        request.GET.get("page")
    )
    complete_figures(list(page.object_list), now)
    context = {"integrations": page.object_list, "page": page, "storages": _storages()}
    return render(request, "integrations/dashboard.html", context)


def _storages() -> str:
    """Every registered cloud's storage, as a sentence names them ("A, B or C")."""
    names = [f"{cls.label} {cls.container_label}" for cls in REGISTRY.values()]
    return " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


@tenant_view(admin_only=True)
def new_integration(request: TenantRequest) -> HttpResponse:
    destination, feed = request.GET.get("destination"), request.GET.get("feed")
    if destination in FORMS and feed in FEEDS:
        return redirect("integration-create", request.tenant.slug, destination, feed)
    context = {"destinations": REGISTRY.values(), "feeds": FEEDS.values()}
    return render(request, "integrations/new.html", context)


def _form_page(request: TenantRequest, form: IntegrationForm, **context: Any) -> HttpResponse:
    context.update(
        form=form,
        destination=form.destination,
        feed=FEEDS[form.feed],
        datalists=form.destination.datalists(),
        egress_ips=settings.EGRESS_IPS,
    )
    integration = context.get("integration")
    if integration is not None:
        context["location"] = integration.destination_class.location(integration.config)
    return render(request, "integrations/form.html", context)


@tenant_view(admin_only=True)
def create_integration(request: TenantRequest, destination: str, feed: str) -> HttpResponse:
    if destination not in FORMS or feed not in FEEDS:
        raise Http404("No such destination or feed.")
    form = form_class(destination)(request.POST or None, tenant=request.tenant, feed=feed)
    if request.method == "POST" and form.is_valid():
        integration = save_integration(form, actor_for(request))
        messages.success(request, "Saved. Grant access as shown below, then click Verify.")
        _warn_of_expiry(request, integration)
        return redirect("integration-detail", request.tenant.slug, integration.pk)
    return _form_page(request, form, integration=None)


def _warn_of_expiry(request: TenantRequest, integration: Integration) -> None:
    if text := expiry_warning(integration, timezone.now()):
        messages.warning(request, text)


def _shown(value: Any, choices: dict[str, str]) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):  # row filters
        return " AND ".join(as_lines(value).splitlines())
    if isinstance(value, list):
        return ", ".join(value)
    return str(choices.get(value, value))


@tenant_view
def integration_detail(request: TenantRequest, pk: int) -> HttpResponse:
    integration = get_integration(request.tenant, pk)
    destination = integration.destination_class
    config = integration.config
    keys = [
        *destination.display_fields,
        *FEED_KEYS[integration.feed_info.kind],
        "notification_emails",
    ]
    # The destination's own labels: S3 and GCS both have a "platform" authorization.
    choices = {setting.name: setting.choices for setting in destination.settings}
    choices["layout"] = LAYOUTS
    rows = [
        (LABELS[key], _shown(config[key], choices.get(key, {}))) for key in keys if config.get(key)
    ]
    data_format = file_format(config)[0]
    if integration.feed_info.kind == FeedKind.RAW and data_format in EXTENSIONS:
        # (an Iceberg table's files are named by the table: its section says where)
        extension = EXTENSIONS[data_format]
        after = next(
            (i + 1 for i, (label, _) in enumerate(rows) if label == LABELS["directory"]), 0
        )
        rows.insert(after, ("Files", raw_key_pattern(config, extension)))
    help_context = {
        "feed": integration.feed,
        "operations": operations(integration.feed, integration.config.get("format")),
        "external_id": request.tenant.external_id,
        "seat_id": request.tenant.seat_id,
    }
    context = {
        "integration": integration,
        "config_rows": rows,
        "secret_rows": [(LABELS[k], v) for k, v in integration.secret_hints.items()],
        "help": destination.authorization_help(config, help_context),
        "help_template": destination.help_template(),
        "egress_ips": settings.EGRESS_IPS,
        "standin": destination.standin_notice(),
        "verification": integration.verifications.first(),
        **detail_sections(request, integration),
    }
    return render(request, "integrations/detail.html", context)


@tenant_view(admin_only=True)
def configure_integration(request: TenantRequest, pk: int) -> HttpResponse:
    integration = get_integration(request.tenant, pk)
    form = form_class(integration.destination)(
        request.POST or None, tenant=request.tenant, feed=integration.feed, instance=integration
    )
    if request.method == "POST" and form.is_valid():
        previous_state = integration.state
        integration = save_integration(form, actor_for(request))
        if integration.state != previous_state:
            messages.success(request, "Saved. The destination changed: click Verify to resume.")
        else:
            messages.success(request, "Saved.")
        _warn_of_expiry(request, integration)
        return redirect("integration-detail", request.tenant.slug, integration.pk)
    return _form_page(request, form, integration=integration)


@tenant_view(admin_only=True)
def remove_integration(request: TenantRequest, pk: int) -> HttpResponse:
    integration = get_integration(request.tenant, pk)
    if request.method == "POST":
        delete_integration(integration, actor_for(request))
        messages.success(
            request, f"Deleted “{integration.name}”. Files already uploaded stay in your storage."
        )
        return redirect("dashboard", request.tenant.slug)
    return render(request, "integrations/delete.html", {"integration": integration})


@tenant_view(admin_only=True)
@throttled_page(WRITE)
def verify(request: TenantRequest, pk: int) -> HttpResponse:
    integration = get_integration(request.tenant, pk)
    if request.method != "POST":
        return redirect("integration-detail", request.tenant.slug, pk)
    _, created = start_verification(integration, actor_for(request))
    if not created:
        messages.info(request, "A verification is already running.")
    return redirect(reverse("integration-detail", args=[request.tenant.slug, pk]) + "#verify")


@tenant_view
def verification_status(request: TenantRequest, pk: int, verification_id: int) -> JsonResponse:
    integration = get_integration(request.tenant, pk)
    verification = get_object_or_404(Verification, integration=integration, pk=verification_id)
    return JsonResponse({**verification_json(verification), "integration_state": integration.state})
