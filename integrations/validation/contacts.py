"""The Notification email field: a comma-separated list of addresses."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

MAX_EMAILS = 20


def clean_email_list(value: str) -> list[str]:
    addresses: list[str] = []
    for item in value.split(","):
        address = item.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(f"{address!r} is not a valid email address.") from None
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if not addresses:
        raise ValidationError("Enter at least one email address.")
    if len(addresses) > MAX_EMAILS:
        raise ValidationError(f"Enter at most {MAX_EMAILS} email addresses.")
    return addresses
