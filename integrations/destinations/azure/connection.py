"""Microsoft Azure Blob Storage through azure-storage-blob, with an account SAS token."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings

from ..base import Connection, DestinationError, ObjectInfo, ReadLimit
from ..hashing_reader import Digest, HashingReader
from ..redaction import scrub
from .settings import AZURE_BLOB_ENDPOINT, AZURE_RETRY_BACKOFF_SECONDS

PERMANENT_CODES = {
    "AuthorizationPermissionMismatch", "AuthorizationResourceTypeMismatch", "AuthorizationFailure",
    "AuthenticationFailed", "AuthorizationProtocolMismatch", "AuthorizationServiceMismatch",
    "AuthorizationSourceIPMismatch", "ContainerNotFound", "ContainerBeingDeleted",
    "ContainerDisabled", "AccountIsDisabled", "InvalidAuthenticationInfo",
    "InsufficientAccountPermissions", "NoAuthenticationInformation", "InvalidResourceName",
    "InvalidQueryParameterValue", "ResourceTypeMismatch",
}  # fmt: skip
BLOCK_SIZE = 8 * 1024 * 1024
COPY_WAIT_SECONDS = 60


def map_error(exc: Exception, secrets: dict[str, Any]) -> DestinationError:
    from azure.core import exceptions as ace

    if isinstance(exc, ace.HttpResponseError):
        raw_code = getattr(exc, "error_code", None) or ""
        code = str(getattr(raw_code, "value", raw_code)) or f"HTTP{exc.status_code}"
        status = int(exc.status_code or 0)
        permanent = code in PERMANENT_CODES or status in (401, 403)
        message = (exc.message or str(exc)).split("\n")[0]
        return DestinationError(code, scrub(message, secrets), permanent=permanent)
    if isinstance(exc, ace.ServiceRequestError | ace.ServiceResponseError):
        return DestinationError(
            "ConnectionError", "Azure Blob Storage could not be reached.", permanent=False
        )
    return DestinationError(type(exc).__name__, scrub(str(exc), secrets), permanent=False)


def account_url(account: str) -> str:
    """The operator may point at a stand-in; `{account}` is the storage account's name."""
    template = AZURE_BLOB_ENDPOINT.get() or "https://{account}.blob.core.windows.net"
    return template.format(account=account).rstrip("/")


class AzureConnection(Connection):
    map_error = staticmethod(map_error)

    def __init__(self, container: Any, secrets: dict[str, Any]) -> None:
        self.container, self.secrets = container, secrets

    def write(
        self,
        key: str,
        stream: IO[bytes],
        content_type: str = "application/octet-stream",
        md5: Digest | None = None,
    ) -> ObjectInfo:
        from azure.storage.blob import ContentSettings

        reader = HashingReader(stream, md5)
        with self.errors():
            # A stream of unknown length is uploaded as staged blocks, committed at the end.
            self.container.upload_blob(
                key, reader, overwrite=True, max_concurrency=1,
                content_settings=ContentSettings(content_type=content_type),
            )  # fmt: skip
        return ObjectInfo(key=key, size=reader.size, md5=reader.md5)

    def read_into(self, key: str, sink: ReadLimit) -> None:
        def refuse_long(pipeline_response: Any) -> None:
            # The SDK reads its first answer whole (up to 32 MiB a range, or all of an answer
            # that ignores the range): its declared length is checked before. Blob storage
            # always declares it; an answer that does not is not read.
            response = pipeline_response.http_response
            total = str(response.headers.get("Content-Range", "")).rpartition("/")[2]
            length = total if total.isdigit() else response.headers.get("Content-Length")
            try:
                sink.expect(length if length is not None else sink.limit + 1)
            except DestinationError:
                with contextlib.suppress(Exception):
                    response.internal_response.close()
                raise

        downloader = self.container.download_blob(
            key, max_concurrency=1, raw_response_hook=refuse_long
        )
        downloader.readinto(sink)

    def head(self, key: str) -> ObjectInfo | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            props = self.container.get_blob_client(key).get_blob_properties()
        except ResourceNotFoundError as exc:
            if getattr(exc, "error_code", None) in (None, "BlobNotFound") or "BlobNotFound" in str(
                exc
            ):
                return None
            raise map_error(exc, self.secrets) from None
        except Exception as exc:
            raise map_error(exc, self.secrets) from None
        md5 = props.content_settings.content_md5
        return ObjectInfo(
            key=key,
            size=int(props.size),
            md5=bytes(md5).hex() if md5 else None,
            storage_class=str(props.blob_tier) if props.blob_tier else None,
            encryption="AES256" if props.server_encrypted else None,
        )

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        with self.errors():
            for item in self.container.list_blobs(name_starts_with=prefix):
                yield ObjectInfo(key=item.name, size=int(item.size))

    def copy(self, source: str, target: str) -> None:
        with self.errors():
            source_url = self.container.get_blob_client(source).url  # carries the SAS
            target_client = self.container.get_blob_client(target)
            target_client.start_copy_from_url(source_url)
            deadline = time.monotonic() + COPY_WAIT_SECONDS
            while (status := target_client.get_blob_properties().copy.status) == "pending":
                if time.monotonic() > deadline:
                    raise DestinationError(
                        "CopyPending", "The copy did not finish in time.", permanent=False
                    )
                time.sleep(0.5)
            if status != "success":
                raise DestinationError(
                    "CopyFailed", f"The copy ended as {status}.", permanent=False
                )

    def delete(self, key: str) -> None:
        from azure.core.exceptions import ResourceNotFoundError

        with self.errors(), contextlib.suppress(ResourceNotFoundError):
            self.container.delete_blob(key)

    def check_reachable(self) -> str:
        with self.errors():
            self.container.get_container_properties()
        return f"Container {self.container.container_name} answers."

    def close(self) -> None:
        self.container.close()


def connect(
    config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
) -> AzureConnection:
    """Open the azure connection with one integration's credentials."""
    from azure.storage.blob import ContainerClient

    url = f"{account_url(config['storage_account'])}/{config['container']}"
    try:
        container = ContainerClient.from_container_url(
            url,
            credential=secrets["sas_token"].removeprefix("?"),
            connection_timeout=10,
            read_timeout=settings.DESTINATION_READ_TIMEOUT_SECONDS,
            retry_total=3,
            initial_backoff=AZURE_RETRY_BACKOFF_SECONDS.get(),
            max_single_put_size=BLOCK_SIZE,
            max_block_size=BLOCK_SIZE,
        )
    except Exception as exc:
        raise map_error(exc, secrets) from None
    return AzureConnection(container, secrets)
