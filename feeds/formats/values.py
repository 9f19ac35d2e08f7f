"""Per-format representations of column values; null is None everywhere before this point."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(value: datetime) -> int:
    """Exact microseconds since the epoch (integer arithmetic, no float rounding)."""
    delta = value - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def decimal_text(value: Decimal) -> str:
    """Plain notation, never an exponent: 0.000001, not 1E-6."""
    return format(value, "f")


def csv_text(value: Any) -> str:
    """CSV field text: ISO 8601 UTC timestamps, true/false, plain decimals, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Decimal):
        return decimal_text(value)
    return str(value)
