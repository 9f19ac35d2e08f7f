"""State changes of an integration, one function each; a conditional update picks one winner."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from exporthub.tenancy.auditlog import Actor, record

from .models import Integration, State


def _transition(
    integration: Integration, sources: tuple[str, ...], target: str, actor: Actor, reason: str
) -> bool:
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
    return bool(changed)


def activate(integration: Integration, actor: Actor) -> bool:
    """After a passing Verify: exports start with the next window, or backfill after a pause."""
    changed = _transition(
        integration, (State.NEW, State.DEACTIVATED), State.ACTIVE, actor, "verified"
    )
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
        changed = _transition(integration, (State.ACTIVE,), State.DEACTIVATED, actor, reason)
        if changed:
            from .notifications import notify_deactivated

            notify_deactivated(integration, step, reason)
    return changed
