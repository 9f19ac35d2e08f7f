"""The REST catalog spec's error model (`{"error": {message, type, code}}`), which Iceberg clients
parse to raise their own NoSuchTable, NotAuthorized, … exceptions."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions

# The spec's exception names, by status, where the view raised no more precise one.
TYPES = {
    400: "BadRequestException",
    401: "NotAuthorizedException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "UnsupportedOperationException",
    406: "UnsupportedOperationException",
    429: "TooManyRequestsException",
    500: "ServerErrorException",
}
READ_ONLY = (
    "ExportHub's Iceberg catalog is read-only: {method} {path} is not served. Its tables change "
    "only through ExportHub's exports."
)


def error_body(code: int, message: str, kind: str | None = None) -> dict[str, Any]:
    kind = kind or TYPES.get(code, "RESTException")
    return {"error": {"message": message, "type": kind, "code": code}}


class NoSuchNamespace(exceptions.NotFound):
    iceberg_type = "NoSuchNamespaceException"

    def __init__(self, namespace: str) -> None:
        super().__init__(f"Namespace does not exist: {namespace}")


class NoSuchTable(exceptions.NotFound):
    iceberg_type = "NoSuchTableException"

    def __init__(self, namespace: str, table: str) -> None:
        super().__init__(f"Table does not exist: {namespace}.{table}")


class NoSuchView(exceptions.NotFound):
    iceberg_type = "NoSuchViewException"

    def __init__(self, namespace: str, view: str) -> None:
        super().__init__(f"View does not exist: {namespace}.{view} (the catalog has no views)")


def describe(exc: Exception, method: str, path: str, code: int) -> dict[str, Any]:
    """The error model of an exception DRF already turned into a response of `code`."""
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_body(code, READ_ONLY.format(method=method, path=path))
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict):
        detail = list(detail.values())
    message = "; ".join(map(str, detail)) if isinstance(detail, list) else str(detail or exc)
    return error_body(code, message, getattr(exc, "iceberg_type", None))
