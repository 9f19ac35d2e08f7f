"""Feed pages and actions: schema downloads, reprocessing an hour, backfilling a range, running
exports' progress."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from exporthub.api.throttling import WRITE, throttled_page
from exporthub.tenancy.access import TenantRequest, tenant_view
from exporthub.tenancy.auditlog import actor_for
from integrations.catalog import FEEDS
from integrations.models import get_integration

from .models import ExportRun
from .pages.next_file import next_file
from .pages.run_objects import run_manifest, run_objects
from .runs import clock
from .runs.on_demand import backfills
from .runs.on_demand.queued import QueueFull
from .runs.on_demand.reprocessing import ReprocessingRefused, request_reprocessing
from .schema import published
from .tasks import export_run


@login_required
def schema_file(request: HttpRequest, feed: str, kind: str) -> HttpResponse:
    if feed not in FEEDS or kind not in published.KINDS:
        raise Http404("No such schema.")
    response = HttpResponse(published.render(feed, kind), content_type=published.KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="{feed}.{kind}"'
    return response


def _utc(value: str) -> datetime:
    """A page's datetime-local field, in UTC; an offset given with it is honoured, not dropped."""
    instant = datetime.fromisoformat(value)
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@tenant_view(admin_only=True)
@throttled_page(WRITE)
def reprocess_hour(request: TenantRequest, pk: int) -> HttpResponse:
    """Admin action: export one hour again, to a new path with a new manifest."""
    integration = get_integration(request.tenant, pk)
    if request.method == "POST":
        try:
            hour = _utc(request.POST.get("hour", ""))
        except (ValueError, OverflowError):
            messages.error(request, "Enter the hour as YYYY-MM-DDTHH:00 (UTC).")
            return redirect("integration-detail", request.tenant.slug, pk)
        try:
            run = request_reprocessing(integration, hour, actor_for(request))
        except (ReprocessingRefused, QueueFull) as refusal:
            messages.error(request, f"Not reprocessed: {refusal}")
        else:
            transaction.on_commit(lambda: export_run.delay(run.pk))
            messages.success(
                request, f"Reprocessing {run.window_start:%Y-%m-%d %H:%M} UTC; it appears below."
            )
    return redirect("integration-detail", request.tenant.slug, pk)


@tenant_view(admin_only=True)
@throttled_page(WRITE)
def backfill_range(request: TenantRequest, pk: int) -> HttpResponse:
    """Admin action: export a past range (feeds.runs.on_demand.backfills)."""
    integration = get_integration(request.tenant, pk)
    if request.method == "POST":
        try:
            start, end = _utc(request.POST.get("start", "")), _utc(request.POST.get("end", ""))
        except (ValueError, OverflowError):
            messages.error(request, "Enter both ends of the range as YYYY-MM-DDTHH:MM (UTC).")
            return redirect("integration-detail", request.tenant.slug, pk)
        try:
            backfill = backfills.request_backfill(integration, start, end, actor_for(request))
        except (backfills.BackfillRefused, QueueFull) as refusal:
            messages.error(request, f"Not backfilled: {refusal}")
        else:
            messages.success(
                request,
                f"Backfilling {backfill.windows} window(s) from {backfill.start:%Y-%m-%d %H:%M} "
                f"to {backfill.end:%Y-%m-%d %H:%M} UTC, behind the live schedule.",
            )
    return redirect("integration-detail", request.tenant.slug, pk)


@tenant_view
def run_progress(request: TenantRequest, pk: int) -> JsonResponse:
    """Row counts of this integration's running exports, for the page to follow them."""
    integration = get_integration(request.tenant, pk)
    running = integration.runs.filter(status=ExportRun.Status.RUNNING).values("pk", "rows")
    return JsonResponse({"running": [{"id": r["pk"], "rows": r["rows"]} for r in running]})


@tenant_view
def next_file_status(request: TenantRequest, pk: int) -> JsonResponse:
    """The window whose file comes next and when it is due, for the page to follow it."""
    integration = get_integration(request.tenant, pk)
    found = next_file(integration, clock.now())
    return JsonResponse(found.as_json() if found else {"text": ""})


@tenant_view
def run_detail(request: TenantRequest, pk: int, run_id: int) -> HttpResponse:
    """One run and what it delivered: its objects and manifest as written."""
    integration = get_integration(request.tenant, pk)
    run = get_object_or_404(ExportRun, integration=integration, pk=run_id)
    context = {
        "integration": integration,
        "run": run,
        "objects": run_objects(run, integration),
        "manifest": run_manifest(run, integration),
    }
    return render(request, "feeds/run.html", context)
