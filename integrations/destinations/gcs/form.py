"""Google Cloud Storage: Bucket and a service-account key, or the platform's account."""

from __future__ import annotations

from typing import Any

from django import forms

from integrations.forms.base import IntegrationForm
from integrations.forms.widgets import SecretTextarea

from .connection import platform_service_account
from .destination import AUTH_MODES, GCSDestination
from .key import ServiceAccountKey, parse_service_account_key
from .validators import validate_gcs_bucket


class GCSIntegrationForm(IntegrationForm):
    destination = GCSDestination
    field_order_head = ("bucket", "auth_mode", "service_account_key")

    bucket = forms.CharField(max_length=222, validators=[validate_gcs_bucket])
    auth_mode = forms.ChoiceField(choices=list(AUTH_MODES.items()), initial="key")
    service_account_key = forms.CharField(
        required=False,
        max_length=20_000,
        widget=SecretTextarea(
            attrs={
                "rows": 6,
                "autocomplete": "off",
                "spellcheck": "false",
                "data-show-if": "auth_mode=key",
            }
        ),
        help_text="The JSON key file of a service account with Storage Object Admin on the bucket.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a service account per seat may be granted: one shared by every tenant would let a
        # tenant export into a bucket granted by another.
        modes = ["key"] + (["platform"] if platform_service_account(self.tenant.seat_id) else [])
        self.fields["auth_mode"].choices = [(m, AUTH_MODES[m]) for m in modes]  # type: ignore[attr-defined]
        self.parsed_key: ServiceAccountKey | None = None

    def clean_service_account_key(self) -> str:
        raw: str = self.cleaned_data["service_account_key"]
        if raw.strip():
            self.parsed_key = parse_service_account_key(raw)
        return raw.strip()

    def clean_destination(self, cleaned: dict[str, Any]) -> None:
        if cleaned.get("auth_mode") == "key":
            self.require_secret("service_account_key")

    def destination_config(self) -> dict[str, Any]:
        mode = self.cleaned_data["auth_mode"]
        if mode == "platform":
            email = platform_service_account(self.tenant.seat_id)
        elif self.parsed_key is not None:
            email = self.parsed_key.client_email
        else:
            email = self.instance.config.get("service_account_email", "") if self.instance else ""
        return {
            "bucket": self.cleaned_data["bucket"],
            "auth_mode": mode,
            "service_account_email": email,
        }

    def secrets(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        if self.cleaned_data["auth_mode"] != "key":
            return {}, {}
        if self.parsed_key is None:
            return {"service_account_key": stored["service_account_key"]}, dict(self.stored_hints)
        key = self.parsed_key
        hint = f"{key.client_email}, key …{key.private_key_id[-4:]}"
        return {"service_account_key": key.raw}, {"service_account_key": hint}
