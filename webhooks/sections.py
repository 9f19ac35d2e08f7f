"""The webhooks part of the integration page: endpoints (no secrets), the add form for Admins,
and the delivery log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.models import Integration
from integrations.web.pages import Section

from .forms import EndpointForm
from .models import Attempt

LOG_ROWS = 20


def webhooks(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    attempts = (
        Attempt.objects.filter(message__endpoint__integration=integration)
        .select_related("message__endpoint")
        .order_by("-at", "-pk")[:LOG_ROWS]
    )
    return {
        "webhooks": list(integration.webhooks.all()),
        "webhook_form": EndpointForm(),
        "webhook_attempts": list(attempts),
    }


WEBHOOKS = Section("webhooks/section.html", webhooks)
