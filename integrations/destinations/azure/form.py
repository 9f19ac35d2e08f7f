"""Azure Blob Storage: Storage account, Container and an account SAS token."""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.forms.base import IntegrationForm
from integrations.forms.widgets import SecretInput

from ..redaction import mask
from .destination import AzureBlobDestination
from .sas import PERMISSION_NAMES, REQUIRED_PERMISSIONS, SasToken, parse_sas_token
from .validators import validate_azure_account, validate_azure_container


class AzureIntegrationForm(IntegrationForm):
    destination = AzureBlobDestination
    field_order_head = ("storage_account", "container", "sas_token")

    storage_account = forms.CharField(max_length=24, validators=[validate_azure_account])
    container = forms.CharField(max_length=63, validators=[validate_azure_container])
    sas_token = forms.CharField(required=False, max_length=4096, widget=SecretInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        letters = REQUIRED_PERMISSIONS[self.feed_kind]
        permissions = ", ".join(PERMISSION_NAMES[letter][1] for letter in letters)
        if "sas_token" not in self.stored_hints:
            self.fields["sas_token"].help_text = (
                "An account SAS: Allowed services Blob; resource types Container and Object; "
                f"permissions {permissions}; expiry in the distant future; HTTPS only."
            )
        self.parsed_token: SasToken | None = None

    def clean_sas_token(self) -> str:
        raw: str = self.cleaned_data["sas_token"]
        if raw.strip():
            self.parsed_token = parse_sas_token(raw, self.feed_kind)
        return raw.strip()

    def clean_destination(self, cleaned: dict[str, Any]) -> None:
        self.require_secret("sas_token")

    def destination_config(self) -> dict[str, Any]:
        return {
            "storage_account": self.cleaned_data["storage_account"],
            "container": self.cleaned_data["container"],
        }

    def secrets(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        token = self.parsed_token
        if token is None:
            return {"sas_token": stored["sas_token"]}, dict(self.stored_hints)
        hint = f"{mask(token.raw)}, expires {token.expires_at:%Y-%m-%d}"
        return {"sas_token": token.raw}, {"sas_token": hint}
