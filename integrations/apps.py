from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Registers the tasks in every process (web included), so verification.py can queue
        # "integrations.verify" by name instead of importing the module that imports it; and the
        # check of the clouds' operator settings, which stops `manage.py` (so `make run`).
        from . import checks, tasks  # noqa: F401
