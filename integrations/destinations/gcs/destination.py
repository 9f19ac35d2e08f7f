"""Google Cloud Storage: what the cloud declares (its settings, Verify steps, hints) over
connection.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from ..base import Destination, Setting, url_host
from ..engines import QueryEngines, bucket_place
from . import connection
from . import settings as gcs_settings
from .connection import GRANT_ROLE

AUTH_MODES = {
    "key": "Service account key (JSON)",
    "platform": "Grant ExportHub's service account of this seat on the bucket",
}


class GCSDestination(Destination):
    kind = "gcs"
    label = "Google Cloud Storage"
    sdk_modules = ("google.cloud", "google.auth", "google.oauth2", "google.api_core")
    query_engines = QueryEngines(
        place=bucket_place("gcs", "gs"),
        file_io="org.apache.iceberg.gcp.gcs.GCSFileIO",
        hadoop_scheme="gs",
        snowflake_provider="GCS",
        snowflake_scheme="gcs",
        snowflake_access="-- then grant the volume's service account read access",
        bigquery_omni=False,  # BigQuery reads Cloud Storage directly
    )
    settings: ClassVar[tuple[Setting, ...]] = (
        Setting("bucket", "Bucket", verify=True),
        Setting("auth_mode", "Authorization", verify=True, choices=AUTH_MODES),
        Setting("service_account_email", "Service account", read_only=True),
        Setting("service_account_key", "Service account key (JSON)", secret=True),
    )
    hints = {
        **dict.fromkeys(
            ("forbidden", "Forbidden"),
            "Grant the service account the Storage Object Admin role on the bucket.",
        ),
        **dict.fromkeys(("notFound", "NotFound"), "There is no such bucket: check Bucket."),
        **dict.fromkeys(
            ("authError", "required", "Unauthorized", "InvalidCredentials"),
            "The service-account key was refused (revoked or deleted): create a new key.",
        ),
        "KeyEndpointNotAllowed": "Paste the key file exactly as Google Cloud created it: its "
        "token_uri and other addresses must be Google's.",
        "ManifestAclDenied": "Do not revoke object-level access on non-archived manifests: "
        "ExportHub must be able to read their ACL (gcloud storage objects describe).",
        "ManifestGrantMissing": "Every non-archived manifest must grant ExportHub's identity "
        "OWNER, as the manifests ExportHub writes do: restore that grant, or delete manifests "
        "that were copied in by hand.",
        "*": "Google Cloud Storage answered with an error; check the bucket's permissions.",
    }

    @classmethod
    def platform_hosts(cls) -> set[str]:
        import os

        configured = (os.environ.get("STORAGE_EMULATOR_HOST", ""), gcs_settings.GCS_TOKEN_URI.get(),
                      gcs_settings.GCS_IAM_CREDENTIALS_ENDPOINT.get())  # fmt: skip
        hosts = {url_host(url) for url in configured if url}
        return {".googleapis.com", *(host for host in hosts if host)}

    @classmethod
    def verify_steps(cls, stage: str, checks: Any) -> list[tuple[str, Callable[[], str]]]:
        if stage == "manifests":  # object ACLs (none under uniform bucket-level access)
            return [("Checking meta-information access on manifest files", checks.manifest_acls)]
        return []

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        return f"gcs:{config['bucket']}"

    @classmethod
    def location(cls, config: dict[str, Any]) -> str:
        return f"gs://{config['bucket']}"

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        return {"member": config.get("service_account_email", ""), "role": GRANT_ROLE}

    @classmethod
    def connect(
        cls, config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
    ) -> connection.GCSConnection:
        return connection.connect(config, secrets, external_id=external_id, seat_id=seat_id)
