"""S3-compatible Endpoint URLs, read by the outbound door: HTTPS to a public address, unless the
operator allows the host."""

from __future__ import annotations

from django.conf import settings

from exporthub.outbound import Target, parse, public_address

EXAMPLE = "https://s3.example.com"


def clean_endpoint_url(value: str) -> str:
    """Return the endpoint as https://host[:port]; reject anything that could reach inside."""
    return checked_endpoint(value).url


def checked_endpoint(value: str) -> Target:
    """The endpoint's target, its host checked now (ValidationError otherwise)."""
    target = parse(value, what="Endpoint URL", example=EXAMPLE, with_path=False)
    allowed = settings.ENDPOINT_URL_ALLOWED_HOSTS
    public_address(target.host, target.connect_port, allowed, "Endpoint URL")
    return target
