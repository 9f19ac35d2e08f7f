"""Google Cloud Storage through google-cloud-storage."""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings

from ..base import Connection, DestinationError, ObjectInfo, ReadLimit
from ..hashing_reader import Digest, HashingReader
from ..redaction import scrub
from .settings import GCS_IAM_CREDENTIALS_ENDPOINT, GCS_PLATFORM_SERVICE_ACCOUNT

GRANT_ROLE = "roles/storage.objectAdmin"
SCOPES = ["https://www.googleapis.com/auth/devstorage.read_write"]
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"  # to call the IAM API
CHUNK_SIZE = 8 * 1024 * 1024  # resumable uploads, in multiples of 256 KiB
PERMANENT_STATUS = {400, 401, 403, 404}
# How long the SDK keeps retrying throttling and 5xx answers before we see the error.
RETRY_SECONDS = 60.0


def _timeout() -> tuple[float, float]:
    return (10.0, settings.DESTINATION_READ_TIMEOUT_SECONDS)


def _retry() -> Any:
    from google.cloud.storage.retry import DEFAULT_RETRY

    return DEFAULT_RETRY.with_timeout(RETRY_SECONDS)


def map_error(exc: Exception, secrets: dict[str, Any]) -> DestinationError:
    import requests
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    if isinstance(exc, gexc.RetryError) and isinstance(exc.cause, Exception):
        # The SDK retried until its deadline: report the last answer, as a transient failure.
        last = map_error(exc.cause, secrets)
        return DestinationError(last.code, last.message, permanent=False)
    if isinstance(exc, gexc.GoogleAPICallError):
        reasons = [e.get("reason") for e in (exc.errors or []) if isinstance(e, dict)]
        code = reasons[0] if reasons and reasons[0] else type(exc).__name__
        return DestinationError(
            code,
            scrub(exc.message or str(exc), secrets),
            permanent=int(exc.code or 0) in PERMANENT_STATUS,
        )
    status = getattr(getattr(exc, "response", None), "status_code", None)
    if isinstance(status, int):  # resumable-upload errors carry only the HTTP answer
        name = {401: "authError", 403: "forbidden", 404: "notFound", 429: "rateLimitExceeded"}.get(
            status, f"HTTP{status}"
        )
        return DestinationError(
            name, f"Upload answered HTTP {status}.", permanent=status in PERMANENT_STATUS
        )
    if isinstance(exc, auth_exc.RefreshError):
        return DestinationError(
            "InvalidCredentials", "Google refused the service-account key.", permanent=True
        )
    if isinstance(exc, auth_exc.DefaultCredentialsError):
        return DestinationError(
            "NoCredentials", "No platform credentials are configured.", permanent=True
        )
    if isinstance(exc, auth_exc.TransportError | requests.ConnectionError | requests.Timeout):
        return DestinationError(
            "ConnectionError", "Google Cloud Storage could not be reached.", permanent=False
        )
    return DestinationError(type(exc).__name__, scrub(str(exc), secrets), permanent=False)


class GCSConnection(Connection):
    map_error = staticmethod(map_error)

    def __init__(self, client: Any, bucket_name: str, secrets: dict[str, Any]) -> None:
        self.client, self.secrets = client, secrets
        self.bucket = client.bucket(bucket_name)

    def write(
        self,
        key: str,
        stream: IO[bytes],
        content_type: str = "application/octet-stream",
        md5: Digest | None = None,
    ) -> ObjectInfo:
        reader = HashingReader(stream, md5)
        blob = self.bucket.blob(key, chunk_size=CHUNK_SIZE)
        with self.errors():
            blob.upload_from_file(
                reader, content_type=content_type, timeout=_timeout(), checksum=None, retry=_retry()
            )
        return ObjectInfo(key=key, size=reader.size, md5=reader.md5)

    def read_into(self, key: str, sink: ReadLimit) -> None:
        # The SDK writes the answer to the sink as it arrives, and closes it when the sink
        # refuses more (an error it does not retry).
        self.bucket.blob(key).download_to_file(sink, timeout=_timeout(), retry=_retry())

    def head(self, key: str) -> ObjectInfo | None:
        with self.errors():
            blob = self.bucket.get_blob(key, timeout=_timeout(), retry=_retry())
        if blob is None:
            return None
        md5 = base64.b64decode(blob.md5_hash).hex() if blob.md5_hash else None
        return ObjectInfo(
            key=key, size=int(blob.size or 0), md5=md5, storage_class=blob.storage_class
        )

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        with self.errors():
            for blob in self.client.list_blobs(
                self.bucket, prefix=prefix, timeout=_timeout(), retry=_retry()
            ):
                yield ObjectInfo(
                    key=blob.name, size=int(blob.size or 0), storage_class=blob.storage_class
                )

    def copy(self, source: str, target: str) -> None:
        with self.errors():
            self.bucket.copy_blob(
                self.bucket.blob(source), self.bucket, target, timeout=_timeout(), retry=_retry()
            )

    def delete(self, key: str) -> None:
        from google.api_core.exceptions import NotFound

        with self.errors(), contextlib.suppress(NotFound):
            self.bucket.blob(key).delete(timeout=_timeout(), retry=_retry())

    def acl(self, key: str) -> list[dict[str, Any]] | None:
        from google.api_core.exceptions import BadRequest

        blob = self.bucket.blob(key)
        try:
            blob.acl.reload(timeout=_timeout())
        except BadRequest:
            return None  # uniform bucket-level access: there are no object ACLs to check
        except Exception as exc:
            raise map_error(exc, self.secrets) from None
        return [dict(entry) for entry in blob.acl]

    def full_control(self, key: str) -> set[str] | None:
        grants = self.acl(key)
        if grants is None:
            return None
        return {str(grant["entity"]) for grant in grants if grant.get("role") == "OWNER"}

    def check_reachable(self) -> str:
        # Listing needs only storage.objects.list, which the granted role has; buckets.get does not.
        with self.errors():
            list(
                self.client.list_blobs(
                    self.bucket, max_results=1, timeout=_timeout(), retry=_retry()
                )
            )
        return f"Bucket {self.bucket.name} answers."

    def close(self) -> None:
        self.client.close()


def platform_service_account(seat_id: int) -> str:
    """The service account ExportHub acts as for this seat ("" when the operator set none, or
    one without "{seat_id}", which every tenant would share)."""
    template = str(GCS_PLATFORM_SERVICE_ACCOUNT.get())
    return template.replace("{seat_id}", str(seat_id)) if "{seat_id}" in template else ""


def _seat_credentials(seat_id: int) -> tuple[Any, str | None]:
    """The operator's own credentials impersonate this seat's service account through the IAM
    Credentials API: the account the tenant granted, used for that seat's exports alone."""
    import google.auth
    from google.auth import impersonated_credentials

    member = platform_service_account(seat_id)
    if not member:
        raise DestinationError(
            "NoSeatServiceAccount",
            "ExportHub has no service account for this seat (GCS_PLATFORM_SERVICE_ACCOUNT).",
            permanent=True,
        )
    source, project = google.auth.default(scopes=[CLOUD_PLATFORM])
    endpoint = GCS_IAM_CREDENTIALS_ENDPOINT.get()
    credentials = impersonated_credentials.Credentials(
        source_credentials=source,
        target_principal=member,
        target_scopes=SCOPES,
        lifetime=3600,
        iam_endpoint_override=(
            f"{endpoint.rstrip('/')}/v1/projects/-/serviceAccounts/{member}:generateAccessToken"
            if endpoint
            else None
        ),
    )
    return credentials, project


def _check_key_endpoints(info: dict[str, Any]) -> None:
    """Again at connect time: a key stored before the form refused other endpoints (or written
    past it) still never makes ExportHub call an address a tenant chose."""
    from django.core.exceptions import ValidationError

    from .key import check_endpoints

    try:
        check_endpoints(info)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        raise DestinationError("KeyEndpointNotAllowed", message, permanent=True) from None


def connect(
    config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
) -> GCSConnection:
    """Open the gcs connection with one integration's credentials."""
    from google.cloud import storage
    from google.oauth2 import service_account

    try:
        if config.get("auth_mode", "key") == "key":
            info = json.loads(secrets["service_account_key"])
            _check_key_endpoints(info)
            credentials = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            project = info.get("project_id")
        else:
            credentials, project = _seat_credentials(seat_id)
        client = storage.Client(project=project or "exporthub", credentials=credentials)
    except DestinationError:
        raise
    except Exception as exc:
        raise map_error(exc, secrets) from None
    return GCSConnection(client, config["bucket"], secrets)
