from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Registers the tasks in every process (web included), so verification.py can queue
        # "integrations.verify" by name instead of importing the module that imports it.
        from . import tasks  # noqa: F401
