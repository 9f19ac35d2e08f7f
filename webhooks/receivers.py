"""Signals of integrations and feeds, turned into messages (connected in WebhooksConfig.ready())."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from feeds.models import ExportRun
from feeds.runs.ledger import Outcome
from feeds.signals import run_failed, window_delivered
from integrations.lifecycle.signals import (
    credentials_expiring,
    integration_deactivated,
    integration_reactivated,
)
from integrations.models import Integration

from . import events


def _window(run: ExportRun) -> dict[str, Any]:
    return {
        "run": run.pk,
        "window_start": run.window_start.isoformat(),
        "window_end": run.window_end.isoformat(),
        "generation": run.generation,
    }


@receiver(window_delivered, dispatch_uid="webhooks.window_delivered")
def on_window_delivered(
    run: ExportRun, integration: Integration, outcome: Outcome, **kwargs: Any
) -> None:
    """The manifest's content, so a loader can start without listing the bucket."""
    events.emit(
        integration,
        events.WINDOW_DELIVERED,
        {
            **_window(run),
            "processed_on": outcome.processed_on.isoformat(),
            "location": integration.destination_class.location(integration.config),
            "path": outcome.path,
            "manifest": outcome.manifest,
            "files": outcome.files,
            "rows": outcome.rows,
        },
    )


@receiver(run_failed, dispatch_uid="webhooks.run_failed")
def on_run_failed(
    run: ExportRun, integration: Integration, code: str, message: str, **kwargs: Any
) -> None:
    events.emit(
        integration,
        events.RUN_FAILED,
        {**_window(run), "attempts": run.attempts, "error": {"code": code, "message": message}},
    )


@receiver(integration_deactivated, dispatch_uid="webhooks.deactivated")
def on_deactivated(
    integration: Integration, reason: str, step: dict[str, Any] | None, **kwargs: Any
) -> None:
    failed = step or {}
    events.emit(
        integration,
        events.DEACTIVATED,
        {
            "reason": reason,
            "step": {key: failed.get(key, "") for key in ("name", "code", "detail", "hint")},
        },
    )


@receiver(integration_reactivated, dispatch_uid="webhooks.reactivated")
def on_reactivated(integration: Integration, **kwargs: Any) -> None:
    events.emit(
        integration,
        events.REACTIVATED,
        {"reactivated_at": integration.state_changed_at.isoformat()},
    )


@receiver(credentials_expiring, dispatch_uid="webhooks.credentials_expiring")
def on_credentials_expiring(
    integration: Integration, expires_at: datetime, days_left: int, **kwargs: Any
) -> None:
    events.emit(
        integration,
        events.CREDENTIALS_EXPIRING,
        {"expires_at": expires_at.isoformat(), "days_left": days_left},
    )
