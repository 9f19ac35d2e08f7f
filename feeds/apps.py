from __future__ import annotations

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feeds"

    def ready(self) -> None:
        # The integration pages show the runs: feeds adds its pieces, integrations never
        # imports feeds.
        from exporthub import health, metrics
        from integrations import catalog, pages

        from .metrics import collect, scheduler_health
        from .pages.sections import BACKFILL, FIGURES, RUN_HISTORY
        from .schema.columns import COLUMNS

        catalog.COLUMN_NAMES.update(
            {feed: tuple(column.name for column in columns) for feed, columns in COLUMNS.items()}
        )
        pages.FIGURES.append(FIGURES)
        pages.DETAIL_SECTIONS += [RUN_HISTORY, BACKFILL]
        # The project's /metrics and /healthz report the scheduler and the queue the same way.
        metrics.COLLECTORS.append(collect)
        health.REPORTS["scheduler"] = scheduler_health
