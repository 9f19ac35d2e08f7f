"""Feed pages and actions: schema downloads, reprocessing an hour, running exports' progress."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from exporthub.tenancy.access import TenantRequest, tenant_view
from exporthub.tenancy.auditlog import actor_for
from integrations.catalog import FEEDS
from integrations.models import get_integration

from .models import ExportRun
from .runs.reprocessing import ReprocessingRefused, request_reprocessing
from .schema.published import KINDS, render
from .tasks import export_run


@login_required
def schema_file(request: HttpRequest, feed: str, kind: str) -> HttpResponse:
    if feed not in FEEDS or kind not in KINDS:
        raise Http404("No such schema.")
    response = HttpResponse(render(feed, kind), content_type=KINDS[kind])
    response["Content-Disposition"] = f'attachment; filename="{feed}.{kind}"'
    return response


@tenant_view(admin_only=True)
def reprocess_hour(request: TenantRequest, pk: int) -> HttpResponse:
    """Admin action: export one hour again, to a new path with a new manifest."""
    integration = get_integration(request.tenant, pk)
    if request.method == "POST":
        try:
            hour = datetime.fromisoformat(request.POST.get("hour", ""))
            # The page's field is UTC; an offset given with the hour is honoured, not dropped.
            hour = hour.replace(tzinfo=UTC) if hour.tzinfo is None else hour.astimezone(UTC)
        except (ValueError, OverflowError):
            messages.error(request, "Enter the hour as YYYY-MM-DDTHH:00 (UTC).")
            return redirect("integration-detail", request.tenant.slug, pk)
        try:
            run = request_reprocessing(integration, hour, actor_for(request))
        except ReprocessingRefused as refusal:
            messages.error(request, f"Not reprocessed: {refusal}")
        else:
            transaction.on_commit(lambda: export_run.delay(run.pk))
            messages.success(
                request, f"Reprocessing {run.window_start:%Y-%m-%d %H:%M} UTC; it appears below."
            )
    return redirect("integration-detail", request.tenant.slug, pk)


@tenant_view
def run_progress(request: TenantRequest, pk: int) -> JsonResponse:
    """Row counts of this integration's running exports, for the page to follow them."""
    integration = get_integration(request.tenant, pk)
    running = integration.runs.filter(status=ExportRun.Status.RUNNING).values("pk", "rows")
    return JsonResponse({"running": [{"id": r["pk"], "rows": r["rows"]} for r in running]})
