"""Startup checks of the operator's settings of every registered cloud."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .destinations import REGISTRY


def settings_errors() -> list[str]:
    """What each registered cloud says is wrong with its operator settings."""
    return [message for cls in REGISTRY.values() for message in cls.settings_errors()]


@register()
def destination_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The same, as a check (`manage.py check --deploy` lists it; the app refuses to be ready
    with any of them, in every process)."""
    return [
        Error(message, id="integrations.E001", obj=kind)
        for kind, cls in REGISTRY.items()
        for message in cls.settings_errors()
    ]
