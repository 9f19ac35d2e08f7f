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
