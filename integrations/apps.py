from __future__ import annotations

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        # Registers the tasks in every process (web included), so verification.py can queue
        # "integrations.verify" by name instead of importing the module that imports it; and the
        # check of the clouds' operator settings.
        from exporthub import outbound

        from . import checks, tasks  # noqa: F401

        # Gunicorn runs no checks and Celery runs them but goes on: an operator's setting that
        # would give every tenant one AWS role stops every process here, not only manage.py.
        if errors := checks.settings_errors():
            raise ImproperlyConfigured(" ".join(errors))
        # Every storage's answers are read through the outbound door from the start, whoever
        # the host: an answer that ends inside its headers is never a stored object.
        outbound.install()
