"""Amazon S3 (and S3-compatible storage) through boto3."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

from ..base import Connection, DestinationError, ObjectInfo, ReadLimit
from ..hashing_reader import Digest, HashingReader
from ..redaction import scrub
from . import policy as s3_policy

PERMANENT_CODES = {
    "AccessDenied", "AllAccessDisabled", "AccountProblem", "AuthorizationHeaderMalformed",
    "ExpiredToken", "InvalidAccessKeyId", "InvalidBucketName", "InvalidObjectState",
    "InvalidToken", "NoSuchBucket", "PermanentRedirect", "SignatureDoesNotMatch",
    "InvalidArgument", "KMS.DisabledException", "KMS.NotFoundException",
    "KMS.KMSInvalidStateException", "KMS.AccessDeniedException", "NoCredentials",
    "InvalidEndpoint", "InvalidRequest", "MalformedPolicyDocument", "InvalidClientTokenId",
    "UnrecognizedClientException",
}  # fmt: skip
# Bodiless answers (HEAD, and moto's bucket-policy Deny) carry only the status.
STATUS_CODES = {"301": "PermanentRedirect", "400": "BadRequest", "403": "AccessDenied",
                "404": "NoSuchBucket"}  # fmt: skip
SSE_ARGS = {"none": {}, "sse-s3": {"ServerSideEncryption": "AES256"}}
# In the bucket-policy mode ExportHub writes as its own seat role: on a bucket whose object
# ownership is "ObjectWriter" the objects would be ours and the customer could not read them.
# S3 accepts this canned ACL under "BucketOwnerEnforced" too (it refuses any other there).
OWNER_GRANT = {"ACL": "bucket-owner-full-control"}
# S3's smallest part size: the upload holds UPLOAD_CONCURRENCY of them in memory (8 MiB parts
# put a worker's peak 14 MB higher at the same speed, bench/).
MULTIPART_THRESHOLD = 5 * 1024 * 1024
# Parts in flight: 2 uploaded 130 MB to the stand-in faster than 4 (0.85 vs 1.0-1.1 s) with
# half the memory (+21 vs +42 MB), and two 5 MiB parts at once outrun what one worker writes.
UPLOAD_CONCURRENCY = 2
READ_CHUNK = 64 * 1024


def map_error(exc: Exception, secrets: dict[str, Any]) -> DestinationError:
    """Turn any boto3/botocore failure into our error type, once."""
    from botocore import exceptions as bce

    if isinstance(exc, bce.ClientError):
        error = exc.response.get("Error", {})
        code = str(
            error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        )
        code = STATUS_CODES.get(code, code)
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        message = error.get("Message") or f"HTTP {status}"
        permanent = code in PERMANENT_CODES or (status in (401, 403) and code not in ("SlowDown",))
        return DestinationError(code, scrub(str(message), secrets), permanent=permanent)
    if isinstance(exc, bce.NoCredentialsError | bce.PartialCredentialsError):
        return DestinationError(
            "NoCredentials", "No AWS credentials are configured.", permanent=True
        )
    if isinstance(exc, bce.ParamValidationError):
        return DestinationError("InvalidParameter", scrub(str(exc), secrets), permanent=True)
    if isinstance(exc, bce.ConnectTimeoutError | bce.ReadTimeoutError):
        return DestinationError("Timeout", "The request to S3 timed out.", permanent=False)
    if isinstance(
        exc, bce.EndpointConnectionError | bce.ConnectionClosedError | bce.ConnectionError
    ):
        return DestinationError("ConnectionError", "S3 could not be reached.", permanent=False)
    return DestinationError(type(exc).__name__, scrub(str(exc), secrets), permanent=False)


def _seat_role(seat_id: int) -> str:
    role = s3_policy.seat_role_arn(seat_id)
    if not role:  # the operator removed S3_SEAT_ROLE_ARN: no shared principal instead
        raise DestinationError(
            "NoSeatRole",
            "ExportHub has no AWS role for this seat (S3_SEAT_ROLE_ARN).",
            permanent=True,
        )
    return role


class S3Connection(Connection):
    map_error = staticmethod(map_error)

    def __init__(self, client: Any, config: dict[str, Any], secrets: dict[str, Any]) -> None:
        self.client, self.bucket, self.secrets = client, config["bucket"], secrets
        self.region = config["region"]
        self.sse_args = dict(SSE_ARGS.get(config.get("sse", "none"), {}))
        if config.get("sse") == "sse-kms":
            self.sse_args = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": config["kms_key_id"]}
        # What every new object is written with: its encryption and, when ExportHub writes as
        # itself, the bucket owner's grant.
        self.put_args = {**self.sse_args, **(OWNER_GRANT if config.get("auth_mode") == "platform"
                                             else {})}  # fmt: skip

    def write(
        self,
        key: str,
        stream: IO[bytes],
        content_type: str = "application/octet-stream",
        md5: Digest | None = None,
    ) -> ObjectInfo:
        from boto3.s3.transfer import TransferConfig

        reader = HashingReader(stream, md5)
        transfer = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD,
            multipart_chunksize=MULTIPART_THRESHOLD,
            max_concurrency=UPLOAD_CONCURRENCY,
        )
        # The stream is read ahead into memory chunks; bound them so memory does not grow with
        # the file (by default 10 chunks of 16 MiB).
        transfer.max_in_memory_upload_chunks = UPLOAD_CONCURRENCY
        extra = {"ContentType": content_type, **self.put_args}
        with self.errors():
            self.client.upload_fileobj(reader, self.bucket, key, ExtraArgs=extra, Config=transfer)
        return ObjectInfo(key=key, size=reader.size, md5=reader.md5)

    def read_into(self, key: str, sink: ReadLimit) -> None:
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        body = answer["Body"]
        try:
            sink.expect(answer.get("ContentLength"))
            for chunk in body.iter_chunks(READ_CHUNK):
                sink.write(chunk)
        finally:
            body.close()  # what was not read is dropped with the connection

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise map_error(exc, self.secrets) from None
        except Exception as exc:
            raise map_error(exc, self.secrets) from None
        etag = answer.get("ETag", "").strip('"')
        return ObjectInfo(
            key=key,
            size=int(answer.get("ContentLength", 0)),
            # A multipart ETag ("…-3") or an SSE-KMS ETag is not the MD5 of the object.
            md5=etag
            if "-" not in etag and answer.get("ServerSideEncryption") != "aws:kms"
            else None,
            storage_class=answer.get("StorageClass", "STANDARD"),
            encryption=answer.get("ServerSideEncryption"),
            kms_key_id=answer.get("SSEKMSKeyId"),
        )

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        with self.errors():
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"],
                        size=int(item["Size"]),
                        storage_class=item.get("StorageClass", "STANDARD"),
                    )

    def copy(self, source: str, target: str) -> None:
        with self.errors():
            self.client.copy(
                {"Bucket": self.bucket, "Key": source}, self.bucket, target, ExtraArgs=self.put_args
            )

    def delete(self, key: str) -> None:
        with self.errors():
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def acl(self, key: str) -> list[dict[str, Any]] | None:
        with self.errors():
            return list(self.client.get_object_acl(Bucket=self.bucket, Key=key)["Grants"])

    def full_control(self, key: str) -> set[str] | None:
        grants = self.acl(key) or []
        return {
            str(grant["Grantee"].get("ID") or grant["Grantee"].get("URI"))
            for grant in grants
            if grant.get("Permission") == "FULL_CONTROL"
        }

    def check_reachable(self) -> str:
        with self.errors():
            answer = self.client.get_bucket_location(Bucket=self.bucket)
        # us-east-1 answers None; old EU buckets answer "EU".
        actual = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(
            answer.get("LocationConstraint"), answer.get("LocationConstraint")
        )
        if actual != self.region:
            raise DestinationError(
                "WrongRegion",
                f"The bucket is in {actual}, not in {self.region}.",
                permanent=True,
            )
        return f"Bucket {self.bucket} answers from {actual}."

    def multipart_round_trip(self, key: str, part: bytes) -> None:
        """Complete one multipart upload and abort another, as large exports do."""
        with self.errors():
            upload = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, **self.put_args
            )
            etag = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload["UploadId"], PartNumber=1, Body=part
            )["ETag"]
            self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload["UploadId"],
                MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]},
            )  # fmt: skip
            aborted = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, **self.put_args
            )
            self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=aborted["UploadId"], PartNumber=1, Body=part
            )
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=aborted["UploadId"]
            )


def _client_config(region: str, path_style: bool) -> Any:
    from botocore.config import Config

    return Config(
        region_name=region,
        signature_version="s3v4",
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=10,
        read_timeout=settings.DESTINATION_READ_TIMEOUT_SECONDS,
        s3={"addressing_style": "path" if path_style else "auto"},
        # S3-compatible stores often reject the newer default CRC checksums.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


@lru_cache(maxsize=1)
def _shared_loader() -> Any:
    """botocore's JSON models (the endpoints, S3's and STS's APIs), parsed once per process for
    every connection's own session: each new session parsed them again, ~0.2 s of CPU a run."""
    import boto3
    from botocore.loaders import Loader

    class SharedLoader(Loader):
        # boto3 adds its own folder to `search_paths` at every session: it is in from the
        # start, and each session appends to a copy, so that the list does not grow per run.
        @property
        def search_paths(self) -> list[str]:
            return list(self._search_paths)

    return SharedLoader(extra_search_paths=[str(Path(boto3.__file__).parent / "data")])


def _session() -> Any:
    """A session of its own (credentials are never shared), on the process's parsed models."""
    import boto3
    import botocore.session

    core = botocore.session.Session()
    core.register_component("data_loader", _shared_loader())
    return boto3.session.Session(botocore_session=core)


def connect(
    config: dict[str, Any], secrets: dict[str, Any], *, external_id: str, seat_id: int
) -> S3Connection:
    """Open the s3 connection with one integration's credentials."""
    import os

    from exporthub.outbound import trust_tenant_host

    from .endpoints import checked_endpoint

    endpoint = config.get("endpoint_url") or None
    if endpoint:
        try:  # the host's addresses may have changed since the form checked them
            target = checked_endpoint(endpoint)
        except ValidationError as exc:
            raise DestinationError(
                "InvalidEndpoint", " ".join(exc.messages), permanent=True
            ) from None
        # Every connection the SDK opens to it is checked again, and goes where the check looked.
        trust_tenant_host(target.host, "ENDPOINT_URL_ALLOWED_HOSTS")
        endpoint = target.url
    path_style = bool(endpoint or os.environ.get("AWS_ENDPOINT_URL_S3"))
    session = _session()
    credentials: dict[str, str] = {}
    try:
        if config.get("auth_mode", "access_key") == "access_key":
            credentials = {
                "aws_access_key_id": secrets["access_key"],
                "aws_secret_access_key": secrets["secret_key"],
            }
        elif config["auth_mode"] in ("assume_role", "platform"):
            sts = session.client("sts", config=_client_config(config["region"], False))
            if config["auth_mode"] == "assume_role":  # the tenant's role, by External ID
                role = {"RoleArn": config["role_arn"], "ExternalId": external_id}
            else:  # this seat's own role: the principal its bucket policy names
                role = {"RoleArn": _seat_role(seat_id)}
            answer = sts.assume_role(
                **role, RoleSessionName=f"exporthub-seat-{seat_id}", DurationSeconds=3600
            )["Credentials"]
            credentials = {
                "aws_access_key_id": answer["AccessKeyId"],
                "aws_secret_access_key": answer["SecretAccessKey"],
                "aws_session_token": answer["SessionToken"],
            }
        client = session.client(
            "s3",
            endpoint_url=endpoint,
            config=_client_config(config["region"], path_style),
            **credentials,
        )
    except DestinationError:
        raise
    except Exception as exc:
        raise map_error(exc, secrets) from None
    return S3Connection(client, config, secrets)
