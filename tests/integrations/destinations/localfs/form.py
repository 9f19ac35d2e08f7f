"""A local folder: its one setting, an absolute path."""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.forms.base import IntegrationForm

from .destination import LocalFolderDestination


class LocalFolderForm(IntegrationForm):
    destination = LocalFolderDestination
    field_order_head = ("folder",)

    folder = forms.CharField(max_length=200, help_text="An absolute path, e.g. /srv/exports.")

    def clean_folder(self) -> str:
        folder: str = self.cleaned_data["folder"]
        if not folder.startswith("/"):
            raise forms.ValidationError("Give an absolute path.")
        return folder

    def destination_config(self) -> dict[str, Any]:
        return {"folder": self.cleaned_data["folder"]}

    def secrets(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        return {}, {}
