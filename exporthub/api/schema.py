"""The error answers every API operation can give, added to `/api/schema` in one place."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "description": "`detail` says what went wrong; validation errors name each field.",
    "additionalProperties": True,
}
ROW_ERRORS = {"oneOf": [ERROR, {"type": "array", "items": {"type": "object"}}]}
WRITES = ("post", "put", "patch", "delete")
# Throttled operations (exporthub.api.throttling): ingestion and the write actions.
THROTTLED = ("/api/v1/events/", "/verify", "/reprocess", "/backfill")


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: 400/401/403/404/429 where an operation can answer
    them."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            found = {
                "400": method in ("post", "put", "patch"),
                "401": True,
                "403": method in WRITES,
                "404": "{" in path,
                "405": True,
                "429": method == "post" and any(part in path for part in THROTTLED),
            }
            texts = {
                "400": "The request is invalid; nothing was changed.",
                "401": "No valid API key.",
                "403": "The key's role may not do this.",
                "404": "No such object in the key's tenant.",
                "405": "The method is not allowed here.",
                "429": "Too many requests (or, for reprocess and backfill, too many queued): "
                "retry after the `Retry-After` header's seconds.",
            }
            for code, applies in found.items():
                if applies and code not in responses:
                    schema = ROW_ERRORS if code == "400" else ERROR
                    responses[code] = _answer(texts[code], schema)
    return result
