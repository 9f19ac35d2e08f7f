"""Amazon S3: Bucket, Region, credentials by auth mode, server-side encryption, Endpoint URL."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from integrations.forms.base import IntegrationForm
from integrations.forms.widgets import SecretInput

from ..redaction import mask
from .destination import AUTH_MODES, SSE_CHOICES, S3Destination
from .endpoints import clean_endpoint_url
from .settings import S3_PLATFORM_PRINCIPAL_ARN, S3_SEAT_ROLE_ARN
from .validators import (
    validate_kms_key,
    validate_role_arn,
    validate_s3_bucket,
    validate_s3_region,
)

AWS_ACCESS_KEY_RE = re.compile(r"^[A-Z0-9]{16,128}$")
TOKEN_RE = re.compile(r"^\S{3,128}$")


def s3_auth_choices() -> list[tuple[str, str]]:
    # Without operator credentials ExportHub has no principal of its own to grant; a bucket
    # policy may name only a principal of the tenant's seat alone (S3_SEAT_ROLE_ARN).
    modes = ["access_key"]
    if S3_PLATFORM_PRINCIPAL_ARN.get() and S3_SEAT_ROLE_ARN.get():
        modes.append("platform")
    if S3_PLATFORM_PRINCIPAL_ARN.get():
        modes.append("assume_role")
    return [(mode, AUTH_MODES[mode]) for mode in modes]


class S3IntegrationForm(IntegrationForm):
    destination = S3Destination
    field_order_head = (
        "bucket", "region", "auth_mode", "access_key", "secret_key", "role_arn",
        "sse", "kms_key_id", "endpoint_url",
    )  # fmt: skip

    bucket = forms.CharField(max_length=63, validators=[validate_s3_bucket])
    region = forms.CharField(
        max_length=64,
        help_text="Region code of the bucket, e.g. us-west-2.",
        widget=forms.TextInput(attrs={"list": "s3-regions", "autocomplete": "off"}),
    )
    auth_mode = forms.ChoiceField(choices=list(AUTH_MODES.items()), initial="access_key")
    access_key = forms.CharField(
        required=False, max_length=128, widget=SecretInput({"data-show-if": "auth_mode=access_key"})
    )
    secret_key = forms.CharField(
        required=False, max_length=128, widget=SecretInput({"data-show-if": "auth_mode=access_key"})
    )
    role_arn = forms.CharField(
        required=False,
        max_length=2048,
        widget=forms.TextInput(attrs={"data-show-if": "auth_mode=assume_role"}),
        help_text="The role ExportHub assumes; its trust policy must require the External ID.",
    )
    sse = forms.ChoiceField(
        choices=list(SSE_CHOICES.items()),
        initial="none",
        help_text="Selecting SSE-S3 or SSE-KMS overrides the bucket's default encryption for "
        "uploaded files. For SSE-KMS, grant ExportHub's principal use of the key.",
    )
    kms_key_id = forms.CharField(
        required=False,
        max_length=2048,
        help_text="Only for SSE-KMS.",
        widget=forms.TextInput(attrs={"data-show-if": "sse=sse-kms"}),
    )
    endpoint_url = forms.CharField(
        required=False,
        max_length=2048,
        help_text="Only for S3-compatible storage, e.g. https://s3.example.com.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["auth_mode"].choices = s3_auth_choices()  # type: ignore[attr-defined]

    def clean_endpoint_url(self) -> str:
        value: str = self.cleaned_data["endpoint_url"]
        return clean_endpoint_url(value) if value.strip() else ""

    def clean_access_key(self) -> str:
        value: str = self.cleaned_data["access_key"]
        if value and not TOKEN_RE.match(value):
            raise forms.ValidationError("An access key has no spaces and at most 128 characters.")
        return value

    def clean_secret_key(self) -> str:
        value: str = self.cleaned_data["secret_key"]
        if value and not TOKEN_RE.match(value):
            raise forms.ValidationError("A secret key has no spaces and at most 128 characters.")
        return value

    def clean_destination(self, cleaned: dict[str, Any]) -> None:
        endpoint = cleaned.get("endpoint_url", "")
        if "region" in cleaned:
            try:
                validate_s3_region(cleaned["region"], custom_endpoint=bool(endpoint))
            except forms.ValidationError as exc:
                self.add_error("region", exc)
        access_key = cleaned.get("access_key", "")
        if access_key and not endpoint and not AWS_ACCESS_KEY_RE.match(access_key):
            self.add_error("access_key", "AWS access keys are 16+ capital letters and digits.")
        mode = cleaned.get("auth_mode")
        if mode == "access_key":
            self.require_secret("access_key")
            self.require_secret("secret_key")
        elif mode == "assume_role":
            role_arn = cleaned.get("role_arn", "")
            if not role_arn:
                self.add_error("role_arn", "This field is required.")
            else:
                try:
                    validate_role_arn(role_arn)
                except forms.ValidationError as exc:
                    self.add_error("role_arn", exc)
        if cleaned.get("sse") == "sse-kms":
            if not cleaned.get("kms_key_id"):
                self.add_error("kms_key_id", "SSE-KMS needs the KMS key ARN or id.")
            else:
                try:
                    validate_kms_key(cleaned["kms_key_id"])
                except forms.ValidationError as exc:
                    self.add_error("kms_key_id", exc)

    def destination_config(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "bucket": data["bucket"],
            "region": data["region"],
            "auth_mode": data["auth_mode"],
            "role_arn": data["role_arn"] if data["auth_mode"] == "assume_role" else "",
            "sse": data["sse"],
            "kms_key_id": data["kms_key_id"] if data["sse"] == "sse-kms" else "",
            "endpoint_url": data["endpoint_url"],
        }

    def secrets(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        if self.cleaned_data["auth_mode"] != "access_key":
            return {}, {}  # keys no longer needed are erased
        secrets, hints = {}, {}
        for name in ("access_key", "secret_key"):
            value = self.cleaned_data[name] or stored[name]
            secrets[name] = value
            hints[name] = mask(value) if self.cleaned_data[name] else self.stored_hints[name]
        return secrets, hints
