"""Each provider error is mapped once to (code, permanent) with a scrubbed message."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from botocore import exceptions as bce

from integrations.destinations.azure import connection as azure
from integrations.destinations.gcs import connection as gcs
from integrations.destinations.redaction import scrub
from integrations.destinations.s3 import connection as s3

SECRETS = {"secret_key": "canary-secret-value-123", "sas_token": "sv=1&sig=CanarySig123%3D"}


def _client_error(code: str | None, status: int, message: str = "boom") -> bce.ClientError:
    error = {"Message": message, **({"Code": code} if code else {})}
    return bce.ClientError(
        {"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject"
    )


@pytest.mark.parametrize(
    ("code", "status", "expected", "permanent"),
    [
        ("AccessDenied", 403, "AccessDenied", True),
        ("InvalidAccessKeyId", 403, "InvalidAccessKeyId", True),
        ("SignatureDoesNotMatch", 403, "SignatureDoesNotMatch", True),
        ("NoSuchBucket", 404, "NoSuchBucket", True),
        ("ExpiredToken", 400, "ExpiredToken", True),
        ("KMS.AccessDeniedException", 400, "KMS.AccessDeniedException", True),
        ("KMS.DisabledException", 400, "KMS.DisabledException", True),
        ("PermanentRedirect", 301, "PermanentRedirect", True),
        ("AllAccessDisabled", 403, "AllAccessDisabled", True),
        ("403", 403, "AccessDenied", True),  # bodiless answer, e.g. a bucket-policy Deny
        (None, 403, "AccessDenied", True),
        ("404", 404, "NoSuchBucket", True),
        ("SlowDown", 503, "SlowDown", False),
        ("ServiceUnavailable", 503, "ServiceUnavailable", False),
        ("InternalError", 500, "InternalError", False),
        ("RequestTimeout", 400, "RequestTimeout", False),
        ("Throttling", 400, "Throttling", False),
        ("SomethingNew", 418, "SomethingNew", False),  # unknown codes count as transient
    ],
)
def test_it_maps_s3_client_errors(
    code: str | None, status: int, expected: str, permanent: bool
) -> None:
    error = s3.map_error(_client_error(code, status), SECRETS)
    assert (error.code, error.permanent) == (expected, permanent)


@pytest.mark.parametrize(
    ("exc", "code", "permanent"),
    [
        (bce.EndpointConnectionError(endpoint_url="https://s3"), "ConnectionError", False),
        (bce.ConnectTimeoutError(endpoint_url="https://s3"), "Timeout", False),
        (bce.ReadTimeoutError(endpoint_url="https://s3"), "Timeout", False),
        (bce.ConnectionClosedError(endpoint_url="https://s3"), "ConnectionError", False),
        (bce.NoCredentialsError(), "NoCredentials", True),
    ],
)
def test_it_maps_s3_transport_errors(exc: Exception, code: str, permanent: bool) -> None:
    error = s3.map_error(exc, SECRETS)
    assert (error.code, error.permanent) == (code, permanent)


def test_it_scrubs_secrets_from_s3_messages() -> None:
    error = s3.map_error(
        _client_error("AccessDenied", 403, "key canary-secret-value-123 denied"), SECRETS
    )
    assert "canary-secret-value-123" not in error.message


def _azure_error(code: str | None, status: int) -> Exception:
    from azure.core.exceptions import HttpResponseError

    exc = HttpResponseError(message=f"{code}\nRequestId:1 url=https://a/c?sv=1&sig=CanarySig123%3D")
    exc.error_code = code  # type: ignore[attr-defined]
    exc.status_code = status
    return exc


@pytest.mark.parametrize(
    ("code", "status", "permanent"),
    [
        ("AuthorizationPermissionMismatch", 403, True),
        ("AuthorizationResourceTypeMismatch", 403, True),
        ("AuthorizationFailure", 403, True),
        ("AuthenticationFailed", 403, True),
        ("AuthorizationProtocolMismatch", 403, True),
        ("AuthorizationSourceIPMismatch", 403, True),
        ("ContainerNotFound", 404, True),
        ("AccountIsDisabled", 403, True),
        ("ServerBusy", 503, False),
        ("InternalError", 500, False),
        ("OperationTimedOut", 500, False),
    ],
)
def test_it_maps_azure_errors(code: str, status: int, permanent: bool) -> None:
    error = azure.map_error(_azure_error(code, status), SECRETS)
    assert (error.code, error.permanent) == (code, permanent)
    assert "CanarySig123" not in error.message


def test_it_maps_azure_connection_failures_as_transient() -> None:
    from azure.core.exceptions import ServiceRequestError, ServiceResponseError

    for exc in (ServiceRequestError("refused"), ServiceResponseError("reset")):
        error = azure.map_error(exc, SECRETS)
        assert (error.code, error.permanent) == ("ConnectionError", False)


def test_it_reads_enum_error_codes_from_the_azure_sdk() -> None:
    from azure.storage.blob import StorageErrorCode

    exc = _azure_error(None, 403)
    exc.error_code = StorageErrorCode.AUTHORIZATION_FAILURE  # type: ignore[attr-defined]
    assert azure.map_error(exc, SECRETS).code == "AuthorizationFailure"


@pytest.mark.parametrize(
    ("name", "reason", "permanent"),
    [
        ("Unauthorized", "authError", True),
        ("Forbidden", "forbidden", True),
        ("NotFound", "notFound", True),
        ("BadRequest", "invalid", True),
        ("TooManyRequests", "rateLimitExceeded", False),
        ("ServiceUnavailable", "backendError", False),
        ("InternalServerError", "backendError", False),
        ("GatewayTimeout", "", False),
    ],
)
def test_it_maps_gcs_api_errors(name: str, reason: str, permanent: bool) -> None:
    from google.api_core import exceptions as gexc

    errors = [{"reason": reason}] if reason else []
    exc = getattr(gexc, name)("injected", errors=errors)
    error = gcs.map_error(exc, SECRETS)
    assert (error.code, error.permanent) == (reason or name, permanent)


def test_it_maps_gcs_auth_and_transport_errors() -> None:
    import requests
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    assert gcs.map_error(auth_exc.RefreshError("invalid_grant"), SECRETS).permanent is True
    assert gcs.map_error(requests.ConnectionError("reset"), SECRETS).permanent is False
    exhausted = gexc.RetryError(
        "deadline", cause=gexc.Forbidden("no", errors=[{"reason": "forbidden"}])
    )
    assert (
        gcs.map_error(exhausted, SECRETS).code,
        gcs.map_error(exhausted, SECRETS).permanent,
    ) == (
        "forbidden",
        False,
    )


def test_it_scrubs_sas_signatures_anywhere() -> None:
    text = "GET https://acct.blob.core.windows.net/c?sv=2022&SIG=abc%2Bdef&se=2030 failed"
    assert (
        scrub(text, {})
        == "GET https://acct.blob.core.windows.net/c?sv=2022&SIG=[redacted]&se=2030 failed"
    )


def test_a_decoded_sas_signature_echoed_by_azure_is_scrubbed() -> None:
    """Azure quotes the signature it received, decoded from the URL, when it does not match."""
    from tests.integrations.destinations.azure.credentials import sas_token

    token = sas_token()
    encoded = token.split("sig=")[1].split("&")[0]
    decoded = unquote(encoded)
    assert decoded != encoded  # the signature has characters the URL encodes
    message = (
        f"Server failed to authenticate the request. The MAC signature found in the HTTP "
        f"request '{decoded}' is not the same as any computed signature."
    )
    cleaned = scrub(message, {"sas_token": token})
    assert decoded not in cleaned and "'[redacted]'" in cleaned


@pytest.mark.parametrize(
    ("status", "code", "permanent"), [(503, "HTTP503", False), (403, "forbidden", True)]
)
def test_it_maps_gcs_upload_errors_by_status(status: int, code: str, permanent: bool) -> None:
    from google.cloud.storage.exceptions import InvalidResponse

    class Answer:
        status_code = status

    error = gcs.map_error(InvalidResponse(Answer(), "upload failed"), SECRETS)
    assert (error.code, error.permanent) == (code, permanent)
