"""Webhook URLs: HTTPS to a public address, unless the operator allows the host
(WEBHOOK_ALLOWED_HOSTS); checked when saved and again at every delivery, then pinned."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from integrations.outbound import public_address

MAX_URL_LENGTH = 2000


def checked_url(value: str) -> tuple[str, str | None]:
    """The URL and a checked public address of its host to connect to (None for a host the
    operator allows, which is connected to as named)."""
    url = value.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("Enter a URL like https://hooks.example.com/exporthub.") from None
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"A webhook URL has at most {MAX_URL_LENGTH} characters.")
    if parts.scheme != "https":
        raise ValidationError("The webhook URL must use https://.")
    if not parts.hostname:
        raise ValidationError("Enter a URL like https://hooks.example.com/exporthub.")
    if parts.username or parts.password:
        raise ValidationError("Do not put credentials before the host; use a path or query.")
    if parts.fragment:
        raise ValidationError("A webhook URL has no #fragment.")
    address = public_address(
        parts.hostname, port or 443, settings.WEBHOOK_ALLOWED_HOSTS, "webhook URL"
    )
    return url, address


def url_hint(url: str) -> str:
    """What pages and the API show: the scheme and host, the rest masked (a Slack URL's path
    is its credential)."""
    parts = urlsplit(url)
    rest = (parts.path + (f"?{parts.query}" if parts.query else "")).rstrip("/")
    shown = f"{parts.scheme}://{parts.netloc}"
    return f"{shown}/…{rest[-4:]}" if len(rest) >= 12 else f"{shown}/…" if rest else shown
