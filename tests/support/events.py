"""Sample events as the ingestion API takes them."""

from __future__ import annotations

from typing import Any


def click(**overrides: Any) -> dict[str, Any]:
    """A valid click, with the given fields replaced."""
    click = {
        "click_id": "c-1", "event_time": "2026-11-22T10:05:00.123456Z", "offer_id": 17,
        "affiliate_id": 5, "advertiser_id": 9, "ip": "203.0.113.0", "country": "DE",
        "device_type": "phone", "os": "Android", "browser": "Chrome", "is_unique": True,
        "cost": "0.125", "currency": "EUR",
    }  # fmt: skip
    click.update(overrides)
    return click
