"""Google Cloud service-account key JSON, checked by google-auth itself without any network."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from .settings import GCS_TOKEN_URI


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
    check_endpoints(info)
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


GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105  # nosec B105 - a URL
# URLs a key carries that google-auth never calls; still, only Google's own are accepted.
INFORMATIONAL_URLS = ("auth_uri", "auth_provider_x509_cert_url", "client_x509_cert_url")
GOOGLE_HOSTS = ("accounts.google.com", "oauth2.googleapis.com", "www.googleapis.com")


def allowed_token_uris() -> set[str]:
    """Google's token endpoint, and the operator's GCS_TOKEN_URI (a stand-in) if set."""
    stand_in = GCS_TOKEN_URI.get()
    return {GOOGLE_TOKEN_URI, *([stand_in] if stand_in else [])}


def check_endpoints(info: dict[str, Any]) -> None:
    """Every address in a key that could make ExportHub connect somewhere is Google's (or the
    operator's stand-in): the tenant chooses none of them."""
    if info.get("token_uri") not in allowed_token_uris():
        raise ValidationError(
            "The key's token_uri must be Google's token endpoint "
            f"({GOOGLE_TOKEN_URI}); ExportHub connects to no other."
        )
    if info.get("universe_domain", "googleapis.com") != "googleapis.com":
        raise ValidationError('The key\'s universe_domain must be "googleapis.com".')
    for name in INFORMATIONAL_URLS:
        if name in info and not _google_url(info[name]):
            raise ValidationError(f"The key's {name} must be a Google https:// address.")


def _google_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme == "https" and parts.hostname in GOOGLE_HOSTS
