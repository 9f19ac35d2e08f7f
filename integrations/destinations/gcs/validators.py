"""Google Cloud Storage bucket naming rules."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from ..base import is_ip_address

# https://cloud.google.com/storage/docs/buckets#naming
GCS_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$")
GCS_FORBIDDEN = re.compile(r"g[o0][o0]g[l1]e")


def validate_gcs_bucket(name: str) -> None:
    if not 3 <= len(name) <= 222:
        raise ValidationError("A bucket name has 3 to 63 characters (222 with dots).")
    if not GCS_BUCKET_RE.match(name):
        raise ValidationError(
            "Use lowercase letters, digits, dashes, underscores and dots, starting and ending "
            "with a letter or digit."
        )
    if any(len(part) > 63 or not part for part in name.split(".")):
        raise ValidationError("Each dot-separated part of a bucket name has 1 to 63 characters.")
    if "." not in name and len(name) > 63:
        raise ValidationError("A bucket name without dots has at most 63 characters.")
    if is_ip_address(name):
        raise ValidationError("A bucket name cannot look like an IP address.")
    if name.startswith("goog") or GCS_FORBIDDEN.search(name):
        raise ValidationError("A bucket name cannot start with 'goog' or contain 'google'.")
