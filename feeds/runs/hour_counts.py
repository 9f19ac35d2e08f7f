"""What a run asks of a log-level hour's rows without reading them: how many there are, whether
late ones arrived, and where its slices begin; each with the run's row filter, as reading.py
reads them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber

from ..models import EVENT_MODELS
from . import row_filters
from .row_filters import Conditions


def _hour(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    filters: Conditions = (),
) -> QuerySet[Any]:
    """The rows `reading.hour_rows` reads: event time in [start, end), received before the
    cutoff, kept by the filter."""
    return EVENT_MODELS[feed]._default_manager.filter(
        row_filters.as_q(feed, filters),
        tenant_id=tenant_id,
        event_time__gte=start,
        event_time__lt=end,
        received_at__lt=received_before,
    )


def count_hour(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    *,
    filters: Conditions,
) -> int:
    """How many rows `reading.hour_rows` reads for the same hour, data cutoff and filter."""
    return _hour(feed, tenant_id, start, end, received_before, filters).count()


def late_rows(
    feed: str, tenant_id: int, start: datetime, end: datetime, since: datetime, filters: Conditions
) -> bool:
    """Whether the hour has rows the filter keeps received at or after `since` (late events)."""
    return (
        EVENT_MODELS[feed]
        ._default_manager.filter(
            row_filters.as_q(feed, filters),
            tenant_id=tenant_id,
            event_time__gte=start,
            event_time__lt=end,
            received_at__gte=since,
        )
        .exists()
    )


def slice_starts(
    feed: str,
    tenant_id: int,
    start: datetime,
    end: datetime,
    received_before: datetime,
    rows: int,
    size: int,
    *,
    filters: Conditions,
) -> list[datetime]:
    """Event times at which slices of about `size` rows begin, after the hour's first, for the
    `rows` rows `reading.hour_rows` reads: one pass in event-time order (the hour's index),
    numbering the rows and keeping every size-th. Rows sharing a boundary's time all go to the
    later slice, so a slice may hold a few more or fewer."""
    firsts = list(range(size + 1, rows + 1, size))
    if not firsts:
        return []
    numbered = (
        _hour(feed, tenant_id, start, end, received_before, filters)
        .annotate(n=Window(RowNumber(), order_by=F("event_time").asc()))
        .filter(n__in=firsts)
        .values_list("event_time", flat=True)
    )
    return sorted({moment for moment in numbered if moment > start})
