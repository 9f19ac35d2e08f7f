"""What other apps add to the integration pages, without integrations importing them.

The feeds app registers its pieces in its AppConfig.ready(): the dashboard's figures of each
integration (last success, failures, next run) and the detail page's run history and charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Integration


@dataclass(frozen=True)
class Section:
    """A part of the integration page: its template, and the context it needs."""

    template: str
    context: Callable[[HttpRequest, Integration], dict[str, Any]]


@dataclass(frozen=True)
class DashboardFigures:
    """Columns of the dashboard: `annotate` adds them to the page's query (one query for the
    whole page), `complete` sets what needs no query on each integration shown."""

    annotate: Callable[[QuerySet[Integration], datetime], QuerySet[Integration]]
    complete: Callable[[Integration, datetime], None]


DETAIL_SECTIONS: list[Section] = []
DASHBOARD_FIGURES: list[DashboardFigures] = []


def detail_sections(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    """The sections' templates (in order) and their context, for the detail page."""
    context: dict[str, Any] = {"sections": [s.template for s in DETAIL_SECTIONS]}
    for section in DETAIL_SECTIONS:
        context.update(section.context(request, integration))
    return context
