"""Inputs for secrets: they never render a value back, not even after a validation error."""

from __future__ import annotations

from typing import Any

from django import forms


class SecretInput(forms.PasswordInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"autocomplete": "off", **(attrs or {})}, render_value=False)


class SecretTextarea(forms.Textarea):
    def format_value(self, value: Any) -> None:
        return None
