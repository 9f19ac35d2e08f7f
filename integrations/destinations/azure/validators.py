"""Azure storage account and container naming rules."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# https://learn.microsoft.com/azure/storage/common/storage-account-overview#storage-account-name
AZURE_ACCOUNT_RE = re.compile(r"^[a-z0-9]{3,24}$")
AZURE_CONTAINER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$")


def validate_azure_account(name: str) -> None:
    if not AZURE_ACCOUNT_RE.match(name):
        raise ValidationError(
            "A storage account name has 3 to 24 characters: lowercase letters and digits only."
        )


def validate_azure_container(name: str) -> None:
    if not 3 <= len(name) <= 63:
        raise ValidationError("A container name has 3 to 63 characters.")
    if not AZURE_CONTAINER_RE.match(name):
        raise ValidationError(
            "Use lowercase letters, digits and single hyphens, starting and ending with a "
            "letter or digit."
        )
