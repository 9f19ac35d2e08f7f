from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feeds"

    def ready(self) -> None:
        from exporthub import allocator, health, metrics

        # Before any export thread exists: the uploads' threads then share two malloc arenas.
        allocator.cap_arenas()
        # The integration pages show the runs: feeds adds its pieces, integrations never
        # imports feeds.
        from integrations import catalog, filters
        from integrations.web import pages

        from .formats import WRITERS, writer_class
        from .metrics import collect, scheduler_health
        from .pages.iceberg import ICEBERG
        from .pages.sections import BACKFILL, FIGURES, NEXT_FILE, RUN_HISTORY
        from .schema.columns import COLUMNS

        catalog.COLUMN_NAMES.update(
            {feed: tuple(column.name for column in columns) for feed, columns in COLUMNS.items()}
        )
        catalog.EXTENSIONS.update(
            {
                name: writer_class(name).extension
                for name, _ in catalog.FORMATS[catalog.FeedKind.RAW]
                if name in WRITERS  # an Iceberg table has no file name pattern of its own
            }
        )
        filters.FILTER_COLUMNS.update(
            {
                feed: {
                    column.public_name: filters.FilterColumn(
                        column.public_name, column.name, column.type, column.max_length
                    )
                    for column in columns
                    if column.type in filters.FILTER_TYPES and not column.hour_of
                }
                for feed, columns in COLUMNS.items()
            }
        )
        pages.FIGURES.append(FIGURES)
        pages.DETAIL_SECTIONS += [ICEBERG, RUN_HISTORY, BACKFILL]
        pages.SUMMARY_SECTIONS.append(NEXT_FILE)
        # The project's /metrics and /healthz report the scheduler and the queue the same way.
        metrics.COLLECTORS.append(collect)
        health.REPORTS["scheduler"] = scheduler_health
        # Django does not manage declarative partitions: after each migrate, event tables that
        # are not partitioned yet become so (PostgreSQL only; feeds.ingestion.partitions).
        post_migrate.connect(_partition_event_tables, sender=self)
        from . import receivers  # noqa: F401  (connects them)


def _partition_event_tables(**kwargs: object) -> None:
    from django.utils import timezone

    from .ingestion.partitions import partition_tables
    from .ingestion.retention import retention

    now = timezone.now()
    partition_tables(now, now - retention())
