"""Rows and bytes exported per hour over the last 7 days, as bars for a server-rendered SVG.

One grouped query per chart; the page draws it without JavaScript or a charting library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncHour

from ..models import ExportRun

HOURS = 7 * 24
WIDTH, HEIGHT, BAR = 672, 80, 4  # one 4-unit bar per hour


@dataclass(frozen=True)
class Bar:
    x: int
    y: float
    height: float
    hour: datetime
    value: int


@dataclass(frozen=True)
class Chart:
    title: str
    unit: str
    bars: list[Bar]
    total: int
    peak: int
    days: list[tuple[int, str]]  # x position and label of each midnight
    width: int = WIDTH
    height: int = HEIGHT


def _bars(hours: list[datetime], values: list[int]) -> tuple[list[Bar], int]:
    peak = max(values, default=0)
    bars = []
    for index, (hour, value) in enumerate(zip(hours, values, strict=True)):
        # A non-empty hour is at least one unit high, so small exports stay visible.
        height = max(HEIGHT * value / peak, 1.0) if value else 0.0
        bars.append(Bar(index * BAR, HEIGHT - height, height, hour, value))
    return bars, peak


def hourly_charts(integration_id: int, now: datetime) -> tuple[Chart, Chart]:
    """Successful exports by data hour; every generation counts, as each was delivered."""
    last = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    first = last - timedelta(hours=HOURS - 1)
    totals = {
        item["hour"]: item
        for item in ExportRun.objects.filter(
            integration_id=integration_id,
            status=ExportRun.Status.SUCCEEDED,
            window_start__gte=first,
            window_start__lt=last + timedelta(hours=1),
        )
        .annotate(hour=TruncHour("window_start", tzinfo=UTC))
        .values("hour")
        .annotate(rows=Sum("rows"), bytes=Sum("bytes"))
    }
    hours = [first + timedelta(hours=h) for h in range(HOURS)]
    days = [(i * BAR, f"{h:%a %d}") for i, h in enumerate(hours) if h.hour == 0]
    charts = []
    for field, title, unit in (("rows", "Rows exported", "rows"), ("bytes", "Bytes", "bytes")):
        values = [int(totals[h][field]) if h in totals else 0 for h in hours]  # type: ignore[literal-required]
        bars, peak = _bars(hours, values)
        charts.append(Chart(title, unit, bars, sum(values), peak, days))
    return charts[0], charts[1]
