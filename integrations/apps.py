from __future__ import annotations

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Registers the tasks in every process (web included), so verification.py can queue
        # "integrations.verify" by name instead of importing the module that imports it; and the
        # check of the clouds' operator settings, which stops `manage.py` (so `make run`).
        from exporthub import outbound

        from . import checks, tasks  # noqa: F401

        # Every storage's answers are read through the outbound door from the start, whoever
        # the host: an answer that ends inside its headers is never a stored object.
        outbound.install()
