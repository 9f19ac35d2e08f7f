"""What feeds does when an integration changes state (integrations.lifecycle.signals); each
receiver's writes commit with the state change or not at all."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from integrations.lifecycle.signals import integration_deactivated, integration_reactivated
from integrations.models import Integration

from .runs import ledger


@receiver(integration_deactivated, dispatch_uid="feeds.deactivated")
def on_deactivated(integration: Integration, **kwargs: Any) -> None:
    """Its failed runs wait for its return rather than for retry times (runs of an inactive
    integration are not handed out; once a Verify passes they are, at once)."""
    ledger.hold(integration.pk)


@receiver(integration_reactivated, dispatch_uid="feeds.reactivated")
def on_reactivated(integration: Integration, **kwargs: Any) -> None:
    """A Verify passed: its failed runs are retried at once, including those that failed with
    a backoff after the deactivation (a run in flight then)."""
    ledger.resume(integration.pk)
