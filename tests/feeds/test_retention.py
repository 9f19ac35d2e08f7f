"""Events past EVENT_RETENTION_DAYS are deleted daily, in batches, tenant by tenant; newer ones
and every other tenant's newer ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.retention import delete_expired
from feeds.ingestion.store import store_events
from feeds.models import EVENT_MODELS
from feeds.tasks import expire_events

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 4, 15, tzinfo=UTC)


def _store(tenant: Tenant, feed: str, count: int, received_at: datetime) -> None:
    rows = Generator(feed, 5).rows(count, received_at - timedelta(hours=1), received_at)
    store_events(tenant, feed, [(row, received_at) for row, _ in rows])


def _left(tenant: Tenant, feed: str) -> int:
    return EVENT_MODELS[feed]._default_manager.filter(tenant=tenant).count()


def test_events_past_the_retention_are_deleted_in_batches_and_newer_ones_stay(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    """On PostgreSQL a day partition goes whole once it ended by the cutoff (a row may outlive
    the setting by up to a day); these rows are a day and more past it on both backends."""
    for owner in (tenant, other_tenant):
        for feed in ("clicks", "standard_feed"):
            _store(owner, feed, 7, NOW - timedelta(days=8, hours=5))
            _store(owner, feed, 5, NOW - timedelta(days=6, hours=23))
    delete_expired(NOW, batch_rows=3)  # several batches per tenant and feed on SQLite
    for owner in (tenant, other_tenant):
        assert _left(owner, "clicks") == _left(owner, "standard_feed") == 5
    delete_expired(NOW)
    assert _left(tenant, "clicks") == 5  # nothing more the second time


def test_the_daily_beat_task_expires_events(tenant: Tenant, settings: Any) -> None:
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"feeds.expire_events", "feeds.maintain_partitions"} <= schedule
    settings.EVENT_RETENTION_DAYS = 5
    now = datetime.now(UTC)
    _store(tenant, "conversions", 4, now - timedelta(days=6, hours=1))
    _store(tenant, "conversions", 2, now - timedelta(days=4, hours=23))
    expire_events.delay().get()
    assert _left(tenant, "conversions") == 2
