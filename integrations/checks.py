"""Startup checks of the operator's settings of every registered cloud."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .destinations import REGISTRY


@register()
def destination_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Each cloud says what is wrong with its settings; `manage.py` and the workers stop on it."""
    return [
        Error(message, id="integrations.E001", obj=kind)
        for kind, cls in REGISTRY.items()
        for message in cls.settings_errors()
    ]
