"""Webhook and Slack URLs, read by the outbound door: HTTPS to a public address (unless the
operator allows the host, WEBHOOK_ALLOWED_HOSTS), and for Slack only Slack's own hosts. Checked
when saved, stored in the door's form (an IDN host as its A-label), and checked again by the door
at every connection."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from exporthub.outbound import Target, parse, public_address

EXAMPLE = "https://hooks.example.com/exporthub"


def target(value: str, kind: str) -> Target:
    """Where a stored or typed URL leads; ValidationError if it may not be called."""
    found = parse(value, what="webhook URL", example=EXAMPLE)
    if kind == "slack" and found.host not in settings.SLACK_WEBHOOK_HOSTS:
        hosts = ", ".join(f"https://{host}/" for host in settings.SLACK_WEBHOOK_HOSTS)
        raise ValidationError(f"A Slack webhook URL starts with {hosts}.")
    return found


def checked_url(value: str, kind: str) -> str:
    """The URL as it is stored and shown, after checking that its host is public now."""
    found = target(value, kind)
    public_address(found.host, found.connect_port, settings.WEBHOOK_ALLOWED_HOSTS, "webhook URL")
    return found.url


def url_hint(url: str) -> str:
    """What pages and the API show: the scheme and host, the rest masked (a Slack URL's path
    is its credential)."""
    parts = urlsplit(url)
    rest = (parts.path + (f"?{parts.query}" if parts.query else "")).rstrip("/")
    shown = f"{parts.scheme}://{parts.netloc}"
    return f"{shown}/…{rest[-4:]}" if len(rest) >= 12 else f"{shown}/…" if rest else shown
