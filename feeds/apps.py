from __future__ import annotations

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feeds"

    def ready(self) -> None:
        # The integration pages show the runs: feeds adds its pieces, integrations never
        # imports feeds.
        from integrations import pages

        from .pages.sections import FIGURES, RUN_HISTORY

        pages.DASHBOARD_FIGURES.append(FIGURES)
        pages.DETAIL_SECTIONS.append(RUN_HISTORY)
