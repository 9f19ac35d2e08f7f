"""State changes of an integration, one function each; a conditional update picks one winner."""

from __future__ import annotations

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
    """After a passing Verify: exports start with the next window."""
    return _transition(integration, (State.NEW, State.DEACTIVATED), State.ACTIVE, actor, "verified")


def deactivate(integration: Integration, actor: Actor, reason: str) -> bool:
    """After a permission failure confirmed by Verify; True only for the caller that did it."""
    return _transition(integration, (State.ACTIVE,), State.DEACTIVATED, actor, reason)
