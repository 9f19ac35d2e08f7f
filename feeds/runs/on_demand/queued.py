"""The cap on one tenant's backfills and reprocessed hours waiting or running at once: each is
work for the shared export workers, so one tenant cannot queue without end (issue 32)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from exporthub.tenancy.models import Tenant

from ...models import Backfill, ExportRun

Status = ExportRun.Status
UNFINISHED = (Status.PENDING, Status.RUNNING, Status.FAILED)
# A run still to do: waiting, running, or failed as transient and to be retried (a storage's
# 503, say): the shared export workers will run it again, so it still takes a place.
STILL_QUEUED = Q(status__in=(Status.PENDING, Status.RUNNING)) | Q(
    status=Status.FAILED, next_attempt_at__isnull=False
)
# What a refused request is told to wait: a reprocessed hour is usually exported within minutes.
RETRY_AFTER_SECONDS = 60


class QueueFull(Exception):
    """The tenant has MAX_QUEUED_RUNS_PER_TENANT backfills and reprocessings unfinished."""

    retry_after = RETRY_AFTER_SECONDS


def unfinished(tenant: Tenant) -> int:
    """Backfills with a run still to do, plus reprocessed hours (not a backfill's) still to do,
    those waiting for a retry included."""
    backfills = (
        Backfill.objects.filter(integration__tenant=tenant, runs__status__in=UNFINISHED)
        .distinct()
        .count()
    )
    reprocessed = ExportRun.objects.filter(
        STILL_QUEUED, integration__tenant=tenant, generation__gt=0, backfill=None
    ).count()
    return backfills + reprocessed


def check_room(tenant: Tenant) -> None:
    """QueueFull unless the tenant may queue one more backfill or reprocessing."""
    cap = settings.MAX_QUEUED_RUNS_PER_TENANT
    if unfinished(tenant) >= cap:
        raise QueueFull(
            f"{cap} backfills and reprocessings of {tenant.name} are already waiting or running "
            "(MAX_QUEUED_RUNS_PER_TENANT); try again once some have finished."
        )
