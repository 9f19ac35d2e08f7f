"""Google Cloud service-account key JSON, checked by google-auth itself without any network."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class ServiceAccountKey:
    raw: str
    client_email: str
    private_key_id: str


def parse_service_account_key(raw: str) -> ServiceAccountKey:
    """Messages name what is wrong, never the key material."""
    try:
        info = json.loads(raw)
    except ValueError:
        raise ValidationError("Paste the whole key file: it must be valid JSON.") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ValidationError('This is not a service-account key ("type": "service_account").')
    missing = [k for k in ("client_email", "private_key", "token_uri") if not info.get(k)]
    if missing:
        raise ValidationError(f"The key file lacks {', '.join(missing)}.")
    from google.oauth2 import service_account

    try:
        service_account.Credentials.from_service_account_info(info)
    except (ValueError, TypeError):
        raise ValidationError("The key file's private_key cannot be read.") from None
    return ServiceAccountKey(
        raw=raw.strip(),
        client_email=str(info["client_email"]),
        private_key_id=str(info.get("private_key_id", "")),
    )
