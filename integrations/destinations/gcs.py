"""Google Cloud Storage."""

from __future__ import annotations

from typing import Any

from .base import Destination

GRANT_ROLE = "roles/storage.objectAdmin"


class GCSDestination(Destination):
    kind = "gcs"
    label = "Google Cloud Storage"
    secret_fields = ("service_account_key",)
    destination_fields = ("bucket", "auth_mode")
    display_fields = ("bucket", "auth_mode", "service_account_email")

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"gcs:{config['bucket']}"

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        return {"member": config.get("service_account_email", ""), "role": GRANT_ROLE}
