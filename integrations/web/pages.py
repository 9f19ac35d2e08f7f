"""What other apps add to the integration pages and API, without integrations importing them.

The feeds app registers its pieces in its AppConfig.ready(): the figures of each integration
(last success, failures, next run, freshness) on the dashboard and in the API, and the detail
page's run history and charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ..models import Integration


@dataclass(frozen=True)
class Section:
    """A part of the integration page: its template, and the context it needs."""

    template: str
    context: Callable[[HttpRequest, Integration], dict[str, Any]]


@dataclass(frozen=True)
class Figures:
    """Figures of each integration. `annotate` adds some to the dashboard's query (one query
    for the page); `complete` sets the others on integrations already fetched (one query for
    all of them); `as_json` gives the API's fields of a completed integration."""

    annotate: Callable[[QuerySet[Integration], datetime], QuerySet[Integration]]
    complete: Callable[[list[Integration], datetime], None]
    as_json: Callable[[Integration], dict[str, Any]]


DETAIL_SECTIONS: list[Section] = []
# Shown at the top of the page, under Verify (what the admin looks for first).
SUMMARY_SECTIONS: list[Section] = []
FIGURES: list[Figures] = []


def detail_sections(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    """The sections' templates (in order) and their context, for the detail page."""
    context: dict[str, Any] = {
        "summary_sections": [s.template for s in SUMMARY_SECTIONS],
        "sections": [s.template for s in DETAIL_SECTIONS],
    }
    for section in [*SUMMARY_SECTIONS, *DETAIL_SECTIONS]:
        context.update(section.context(request, integration))
    return context


def complete_figures(integrations: list[Integration], now: datetime) -> None:
    for figures in FIGURES:
        figures.complete(integrations, now)
    for integration in integrations:
        integration.figures_complete = True  # type: ignore[attr-defined]


def figures_json(integration: Integration) -> dict[str, Any]:
    """The API's figure fields of one integration (completed here if the caller did not)."""
    if not getattr(integration, "figures_complete", False):
        complete_figures([integration], timezone.now())
    return {
        key: value for figures in FIGURES for key, value in figures.as_json(integration).items()
    }
