from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Above integrations and feeds: their signals become messages to the tenant's
        # endpoints, and the integration page shows the endpoints and the delivery log.
        from integrations.web import pages

        from . import receivers, tasks  # noqa: F401
        from .sections import WEBHOOKS

        pages.DETAIL_SECTIONS.append(WEBHOOKS)
