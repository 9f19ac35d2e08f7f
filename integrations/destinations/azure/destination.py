"""Azure Blob Storage: what the cloud declares (its settings, Verify steps, hints) over
connection.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.core.exceptions import ValidationError

from ..base import Destination, DestinationError, Setting, url_host
from . import connection, sas, tables
from .sas import PERMISSION_NAMES, check_not_expired, required_letters


class AzureBlobDestination(Destination):
    kind = "azure"
    label = "Microsoft Azure Blob Storage"
    sdk_modules = ("azure",)
    container_label = "container"
    expiring_setting = "sas_token"
    query_engines = tables.ENGINES
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("storage_account", "Storage account", verify=True),
        Setting("container", "Container", verify=True),
        Setting("sas_token", "SAS token", secret=True),
    )
    hints = {
        "SasTokenInvalid": "Generate a new SAS token with the settings listed on the page.",
        "AuthorizationPermissionMismatch": "The SAS token lacks a permission this export needs: "
        "generate a new one with the permissions listed on the integration page.",
        "AuthorizationResourceTypeMismatch": "The SAS token's Allowed resource types must include "
        "Container and Object.",
        "AuthorizationFailure": "The SAS token was refused: it expired, was revoked (account key "
        "rotated) or was altered. Generate a new one and save it.",
        "AuthenticationFailed": "The SAS token was refused: it expired, was revoked (account key "
        "rotated) or was altered. Generate a new one and save it.",
        "AuthorizationProtocolMismatch": "Use HTTPS only as the SAS token's Allowed protocols.",
        "AuthorizationSourceIPMismatch": "The SAS token's allowed IP range excludes ExportHub: "
        "add the egress addresses shown on the integration page.",
        "ContainerNotFound": "There is no such container in this storage account: check Storage "
        "account and Container.",
        "SasTokenExpired": "The SAS token has expired: generate one with a distant expiry.",
        "*": "Azure answered with an error; if it persists, check the storage account's settings.",
    }

    @classmethod
    def platform_hosts(cls) -> set[str]:
        host = url_host(connection.account_url("{account}"))
        return {".blob.core.windows.net", *([host] if host else [])}

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"azure:{config['storage_account']}:{config['container']}"

    @classmethod
    def location(cls, config: dict[str, Any]) -> str:
        return f"azure://{config['storage_account']}/{config['container']}"

    @classmethod
    def object_url(cls, location: str, key: str) -> str:
        """azure://account/container as the blob's https URL (or the operator's stand-in)."""
        account, _, container = location.removeprefix("azure://").partition("/")
        return f"{connection.account_url(account)}/{container}/{key.lstrip('/')}"

    @classmethod
    def warehouse_uri(cls, config: dict[str, Any]) -> str:
        """ADLS Gen2's URI, the one Spark, Trino and DuckDB read Iceberg tables by."""
        return f"abfss://{config['container']}@{config['storage_account']}.dfs.core.windows.net"

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        letters = required_letters(context["operations"])
        return {"sas_permissions": [PERMISSION_NAMES[letter][1] for letter in letters]}

    @classmethod
    def credentials_expire_at(cls, secrets: dict[str, Any]) -> datetime | None:
        return sas.expires_at(secrets["sas_token"]) if "sas_token" in secrets else None

    @classmethod
    def check_credentials(cls, secrets: dict[str, Any]) -> None:
        """The form checked the token's shape; what changes with time is its expiry."""

        try:
            check_not_expired(secrets["sas_token"])
        except ValidationError as exc:
            raise DestinationError(
                "SasTokenInvalid", " ".join(exc.messages), permanent=True
            ) from None

    @classmethod
    def connect(
        cls, config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
    ) -> connection.AzureConnection:
        return connection.connect(config, secrets, external_id=external_id, seat_id=seat_id)
