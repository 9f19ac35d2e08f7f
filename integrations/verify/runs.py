"""Starting a Verify (one at a time per integration) and recording its outcome."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from exporthub.celery import app as celery_app
from exporthub.metrics import VERIFICATIONS
from exporthub.tenancy.auditlog import Actor

from ..lifecycle.state import activate, deactivate
from ..models import Integration, State, Verification
from .steps import Step, run_checks

# A "running" verification older than this lost its worker; a new one may replace it.
STALE_AFTER = timedelta(minutes=15)


def start_verification(
    integration: Integration, actor: Actor, *, enqueue: bool = True
) -> tuple[Verification, bool]:
    """Return the running verification, or create one (and queue it); True if created."""
    running = Verification.objects.filter(
        integration=integration, state=Verification.Result.RUNNING
    )
    running.filter(created_at__lt=timezone.now() - STALE_AFTER).update(
        state=Verification.Result.FAILED, finished_at=timezone.now()
    )
    existing = running.first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            verification = Verification.objects.create(
                integration=integration, requested_by=actor.label
            )
    except IntegrityError:  # another request won the race
        return running.get(), False
    if enqueue:
        # By name, through the app's registry: the tasks module imports this one, not back.
        task = celery_app.tasks["integrations.verify"]
        transaction.on_commit(lambda: task.delay(verification.pk))
    return verification, True


def run_verification(verification_id: int) -> Verification:
    """Run the checks of a queued verification; a finished one is left as it is."""
    verification = Verification.objects.select_related("integration__tenant").get(
        pk=verification_id
    )
    if verification.state != Verification.Result.RUNNING:
        return verification
    integration = verification.integration

    def progress(steps: list[Step]) -> None:
        Verification.objects.filter(pk=verification.pk).update(steps=[s.as_json() for s in steps])

    steps = run_checks(integration, uuid.uuid4().hex[:12], progress)
    failure = next((step for step in steps if step.status == "failed"), None)
    verification.steps = [s.as_json() for s in steps]
    verification.state = Verification.Result.FAILED if failure else Verification.Result.PASSED
    verification.finished_at = timezone.now()
    verification.save(update_fields=["steps", "state", "finished_at"])
    VERIFICATIONS.labels(destination=integration.destination, result=verification.state).inc()
    actor = Actor(label=f"Verify ({verification.requested_by})")
    if failure is None:
        activate(integration, actor)
    elif failure.permanent and integration.state == State.ACTIVE:
        deactivate(integration, actor, f"{failure.name}: {failure.code}", failure.as_json())
    return verification


def verification_json(verification: Verification) -> dict[str, Any]:
    """The public shape (SPEC §7), shared by the API and the page's polling."""
    return {
        "id": verification.pk,
        "integration": verification.integration_id,
        "state": verification.state,
        "steps": [
            {key: step.get(key) for key in ("name", "ok", "status", "code", "detail", "hint")}
            for step in verification.steps
        ],
        "created_at": verification.created_at.isoformat(),
        "finished_at": verification.finished_at.isoformat() if verification.finished_at else None,
    }
