"""Every feed's events through the ingestion API and back out of its table, value for value:
binary COPY on PostgreSQL (each column packed as its own type), bulk inserts on SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from exporthub.tenancy.models import ApiKey, Role, Tenant
from feeds.demo.synthetic import Generator
from feeds.models import EVENT_MODELS
from feeds.schema.columns import stored_columns

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _as_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value) if isinstance(value, Decimal) else value


@pytest.mark.parametrize("feed", EVENT_MODELS)
def test_every_feeds_ingested_events_read_back_with_the_values_sent(
    tenant: Tenant, feed: str
) -> None:
    names = [column.name for column in stored_columns(feed)]
    sent = [row for row, _ in Generator(feed, 3).rows(300, START, START + timedelta(hours=1))]
    body = "\n".join(json.dumps(dict(zip(names, map(_as_json, row), strict=True))) for row in sent)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {ApiKey.issue(tenant, Role.ADMIN, 'ingest')[1]}")
    response = api.post(f"/api/v1/events/{feed}", body, content_type="application/x-ndjson")
    assert (response.status_code, response.json()) == (202, {"accepted": len(sent)})
    stored = EVENT_MODELS[feed]._default_manager.filter(tenant=tenant).order_by("pk")
    assert list(stored.values_list(*names)) == sent
