"""S3-compatible Endpoint URLs, read by the outbound door: HTTPS to a public address, unless the
operator allows the host, and never a host ExportHub itself connects to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from exporthub.outbound import Target, is_platform_host, parse, public_address

EXAMPLE = "https://s3.example.com"


def clean_endpoint_url(value: str) -> str:
    """Return the endpoint as https://host[:port]; reject anything that could reach inside."""
    return checked_endpoint(value).url


def checked_endpoint(value: str) -> Target:
    """The endpoint's target, its host checked now (ValidationError otherwise)."""
    target = parse(value, what="Endpoint URL", example=EXAMPLE, with_path=False)
    if is_platform_host(target.host):  # its connections there would be limited as a tenant's
        raise ValidationError(
            f"ExportHub itself connects to {target.host}, so it cannot be an Endpoint URL. "
            "For Amazon S3 leave the Endpoint URL empty; for Google Cloud Storage or Azure "
            "choose that destination."
        )
    allowed = settings.ENDPOINT_URL_ALLOWED_HOSTS
    public_address(target.host, target.connect_port, allowed, "Endpoint URL")
    return target
