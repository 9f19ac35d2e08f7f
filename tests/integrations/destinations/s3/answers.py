"""What real S3 answers and the moto stand-in does not, applied at the SDK's edge."""

from __future__ import annotations

from typing import Any

import pytest


def missing_keys_answer_403(monkeypatch: pytest.MonkeyPatch) -> None:
    """S3 answers a HEAD of a missing key with 403, not 404, to a caller without s3:ListBucket
    there (a raw feed's policy has none; a log-level feed's holds it only for listing requests,
    by its condition on s3:prefix). The stand-in answers 404; here every client answers 403."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    call = BaseClient._make_api_call

    def as_s3_answers(client: Any, operation: str, params: dict[str, Any]) -> Any:
        try:
            return call(client, operation, params)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if operation != "HeadObject" or status != 404:
                raise
            denied = {"Error": {"Code": "403", "Message": "Forbidden"},
                      "ResponseMetadata": {"HTTPStatusCode": 403}}  # fmt: skip
            raise ClientError(denied, operation) from None

    monkeypatch.setattr(BaseClient, "_make_api_call", as_s3_answers)


class WorkerKilled(BaseException):
    """The worker's process ending mid-request (SIGKILL): no handler of ours runs after it."""


def fail_requests(
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    key_suffix: str,
    *,
    times: int = 1,
    code: str = "SlowDown",
    status: int = 503,
    kill: bool = False,
) -> list[str]:
    """The next `times` requests `operation` on a key ending in `key_suffix` fail as S3 answers
    after the SDK's own retries (`code`, `status`), or end the worker (`kill`); every other
    request goes through. The keys refused, in order."""
    from botocore.client import BaseClient
    from botocore.exceptions import ClientError

    call = BaseClient._make_api_call
    refused: list[str] = []

    def failing(client: Any, name: str, params: dict[str, Any]) -> Any:
        key = str(params.get("Key", ""))
        if name != operation or not key.endswith(key_suffix) or len(refused) >= times:
            return call(client, name, params)
        refused.append(key)
        if kill:
            raise WorkerKilled(f"killed during {operation} {key}")
        answer = {"Error": {"Code": code, "Message": "Injected."},
                  "ResponseMetadata": {"HTTPStatusCode": status}}  # fmt: skip
        raise ClientError(answer, name)

    monkeypatch.setattr(BaseClient, "_make_api_call", failing)
    return refused


def record_requests(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every request the SDK sends from now on, as (operation, parameters), in order."""
    from botocore.client import BaseClient

    call = BaseClient._make_api_call
    sent: list[tuple[str, dict[str, Any]]] = []

    def recorded(client: Any, operation: str, params: dict[str, Any]) -> Any:
        sent.append((operation, dict(params)))
        return call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return sent
