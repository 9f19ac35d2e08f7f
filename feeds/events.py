"""Reading a window's events in column order, streamed from the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from .columns import COLUMNS
from .models import EVENT_MODELS

CHUNK_ROWS = 5000


def window_rows(
    feed: str,
    tenant_id: int,
    field: str,
    start: datetime,
    end: datetime,
    received_before: datetime | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Rows with `field` (received_at or event_time) in [start, end), in a stable order; only
    those received before `received_before` when given (a log-level run's data cutoff)."""
    model = EVENT_MODELS[feed]
    names = [column.name for column in COLUMNS[feed]]
    cutoff = {} if received_before is None else {"received_at__lt": received_before}
    rows = (
        model._default_manager.filter(
            tenant_id=tenant_id, **{f"{field}__gte": start, f"{field}__lt": end}, **cutoff
        )
        .order_by(field, "id")
        .values_list(*names)
    )
    return rows.iterator(chunk_size=CHUNK_ROWS)
