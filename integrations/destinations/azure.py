"""Microsoft Azure Blob Storage."""

from __future__ import annotations

from typing import Any

from feeds.catalog import FEEDS

from ..validation.sas import PERMISSION_NAMES, REQUIRED_PERMISSIONS
from .base import Destination


class AzureBlobDestination(Destination):
    kind = "azure"
    label = "Microsoft Azure Blob Storage"
    secret_fields = ("sas_token",)
    destination_fields = ("storage_account", "container")
    display_fields = ("storage_account", "container")

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"azure:{config['storage_account']}:{config['container']}"

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        letters = REQUIRED_PERMISSIONS[FEEDS[context["feed"]].kind]
        return {"sas_permissions": [PERMISSION_NAMES[letter][1] for letter in letters]}
