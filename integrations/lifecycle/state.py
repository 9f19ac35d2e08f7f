"""State changes of an integration, one function each; a conditional update picks one winner."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from exporthub.metrics import DEACTIVATIONS
from exporthub.tenancy.auditlog import Actor, record

from ..models import Integration, State
from .signals import integration_deactivated, integration_reactivated


def _transition(
    integration: Integration, sources: tuple[str, ...], target: str, actor: Actor, reason: str
) -> str | None:
    """The state the integration left, or None when another caller changed it first."""
    with transaction.atomic():
        old = Integration.objects.filter(pk=integration.pk).values_list("state", flat=True).first()
        changed = Integration.objects.filter(pk=integration.pk, state__in=sources).update(
            state=target, state_changed_at=timezone.now()
        )
        if changed:
            record(
                integration.tenant, "integration.state_changed", actor,
                target_type="integration", target_id=integration.pk, target_label=integration.name,
                changes={"state": {"old": old, "new": target}, "reason": reason},
            )  # fmt: skip
    integration.refresh_from_db(fields=["state", "state_changed_at"])
    return old if changed else None


def activate(integration: Integration, actor: Actor) -> bool:
    """After a passing Verify: exports start with the next window, or backfill after a pause."""
    with transaction.atomic():
        left = _transition(
            integration, (State.NEW, State.DEACTIVATED), State.ACTIVE, actor, "verified"
        )
        if left == State.DEACTIVATED:
            integration_reactivated.send(sender=Integration, integration=integration)
    changed = left is not None
    if changed:
        Integration.objects.filter(pk=integration.pk, exports_from__isnull=True).update(
            exports_from=integration.state_changed_at
        )
        integration.refresh_from_db(fields=["exports_from"])
    return changed


def deactivate(
    integration: Integration, actor: Actor, reason: str, step: dict[str, Any] | None = None
) -> bool:
    """After a permission failure confirmed by Verify.

    Only the caller whose update changed the row stores the email: one email per deactivation,
    sent through the outbox until the mail server takes it.
    """
    with transaction.atomic():  # the email is stored with the state change, or neither is
        left = _transition(integration, (State.ACTIVE,), State.DEACTIVATED, actor, reason)
        changed = left is not None
        if changed:
            from .notifications import notify_deactivated

            notify_deactivated(integration, step, reason)
            integration_deactivated.send(
                sender=Integration, integration=integration, reason=reason, step=step
            )
    if changed:
        DEACTIVATIONS.labels(destination=integration.destination).inc()
    return changed
