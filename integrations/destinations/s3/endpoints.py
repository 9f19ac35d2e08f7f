"""S3-compatible Endpoint URLs: HTTPS to a public address, unless the operator allows the host."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.outbound import public_address


def clean_endpoint_url(value: str) -> str:
    """Return the endpoint as scheme://host[:port]; reject anything that could reach inside."""
    return checked_endpoint(value)[0]


def checked_endpoint(value: str) -> tuple[str, str | None]:
    """The canonical endpoint and a checked public address of its host to connect to (None for
    a host the operator allows, which is connected to as named)."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValidationError("Enter a URL like https://s3.example.com.") from None
    if parts.scheme != "https":
        raise ValidationError("The Endpoint URL must use https://.")
    if not parts.hostname:
        raise ValidationError("Enter a URL like https://s3.example.com.")
    if parts.username or parts.password:
        raise ValidationError("Do not put credentials in the Endpoint URL.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError("The Endpoint URL is just https://host[:port], without a path.")
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    canonical = f"https://{netloc}{f':{port}' if port else ''}"
    address = public_address(host, port or 443, settings.ENDPOINT_URL_ALLOWED_HOSTS, "Endpoint URL")
    return canonical, address
