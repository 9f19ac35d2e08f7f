"""Stored events: one table per feed, its columns generated from feeds/schema/columns.py.

Every row belongs to a tenant and carries `received_at`, the time ExportHub accepted it. Raw
feeds are exported by received_at windows (late events are never lost or exported twice);
log-level feeds by event hour. Both lookups start with the tenant, so each has a composite
B-tree index. On PostgreSQL each table is partitioned by day after migrate
(feeds/ingestion/partitions.py; docs/feeds.md, "Partitions").
"""

from __future__ import annotations

from typing import Any

from django.db import models

from exporthub.tenancy.models import Tenant
from integrations.catalog import FEEDS, FeedKind

from .schema.columns import COLUMNS, Column, stored_columns


def _field(column: Column) -> models.Field[Any, Any]:
    options: dict[str, Any] = {
        "null": column.nullable,
        "blank": column.nullable,
        "help_text": column.doc,
    }
    if column.type == "int64":
        return models.BigIntegerField(**options)
    if column.type == "int32":
        return models.IntegerField(**options)
    if column.type == "timestamp":
        return models.DateTimeField(**options)
    if column.type == "decimal":
        return models.DecimalField(
            max_digits=column.precision, decimal_places=column.scale, **options
        )
    if column.type == "bool":
        return models.BooleanField(**options)
    if column.max_length > 255:
        return models.TextField(**options)
    return models.CharField(max_length=column.max_length, **options)


def _indexes(feed: str) -> tuple[models.Index, ...]:
    """Every feed is read by received time (exports of raw windows, late events of an hour);
    only log-level feeds also by event hour. Each index costs every insert, so no more."""
    received = models.Index(fields=("tenant", "received_at"), name=f"{feed[:12]}_received")
    if FEEDS[feed].kind == FeedKind.RAW:
        return (received,)
    return (received, models.Index(fields=("tenant", "event_time"), name=f"{feed[:12]}_event_time"))


def _event_model(feed: str, class_name: str) -> type[models.Model]:
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"One {feed} event.",
        # No index of its own: both composite indexes start with the tenant. No database
        # constraint either: its per-row check cost a third of bulk-load time (docs/feeds.md);
        # only code holding an authenticated tenant inserts, and Django cascades deletes.
        "tenant": models.ForeignKey(
            Tenant,
            on_delete=models.CASCADE,
            related_name="+",
            db_index=False,
            db_constraint=False,
            help_text="Owner of the event.",
        ),
        "received_at": models.DateTimeField(help_text="When ExportHub accepted the event."),
        **{column.name: _field(column) for column in stored_columns(feed)},
        "Meta": type(
            "Meta",
            (),
            {
                "indexes": _indexes(feed),
            },
        ),
    }
    return type(class_name, (models.Model,), attrs)


def _class_name(feed: str) -> str:
    """clicks -> ClickEvent, a_b_feed -> ABFeedEvent: the names the migrations know."""
    return "".join(part.title() for part in feed.removesuffix("s").split("_")) + "Event"


# One table per feed of the registry (integrations.catalog, feeds.schema.columns): a feed is
# added there, and here by its migration only.
EVENT_MODELS: dict[str, type[models.Model]] = {
    feed: _event_model(feed, _class_name(feed)) for feed in COLUMNS
}


class Backfill(models.Model):
    """An Admin's request to export a past date range (docs/exports.md, "Backfill"): its runs
    carry it, so its progress is theirs and the schedule hands them out behind live windows."""

    integration = models.ForeignKey(
        "integrations.Integration",
        on_delete=models.CASCADE,
        related_name="backfills",
        help_text="Export.",
    )
    start = models.DateTimeField(help_text="Start of the first window asked for (UTC).")
    end = models.DateTimeField(help_text="End of the last window asked for, exclusive.")
    requested_by = models.CharField(max_length=255, blank=True, help_text="Who asked.")
    requested_at = models.DateTimeField(auto_now_add=True, help_text="When.")
    # What the request found, for the page and the API (its runs say how far it got).
    windows = models.PositiveIntegerField(default=0, help_text="Windows it exports.")
    reprocessed = models.PositiveIntegerField(
        default=0, help_text="Of those, log-level hours exported again as a new generation."
    )
    delivered_before = models.JSONField(
        default=list, blank=True, help_text="Raw windows already delivered, left alone."
    )
    queued_before = models.JSONField(
        default=list, blank=True, help_text="Windows already waiting or running, left alone."
    )

    class Meta:
        ordering = ("-requested_at", "-pk")

    def __str__(self) -> str:
        return f"Backfill {self.pk}: {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M}"


class ExportRun(models.Model):
    """The ledger: one row per integration, window and generation (reprocessing adds one)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    integration = models.ForeignKey(
        "integrations.Integration",
        on_delete=models.CASCADE,
        related_name="runs",
        help_text="Export.",
    )
    window_start = models.DateTimeField(help_text="Start of the window (raw) or data hour.")
    window_end = models.DateTimeField(help_text="End of the window, exclusive.")
    generation = models.PositiveIntegerField(default=0, help_text="0, then 1, 2… per reprocessing.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text="State."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Times a worker claimed it.")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="Retry not before.")
    # When the beat tick last sent this run to the queue: it is not sent again before a lease
    # has passed, so a backlog does not fill the queue with copies of the same runs.
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sent to the queue by the beat tick."
    )
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running run whose lease expired is reclaimed."
    )
    processed_on = models.DateTimeField(
        null=True, blank=True, help_text="%TIMESTAMP% of the last attempt."
    )
    data_cutoff = models.DateTimeField(
        null=True, blank=True, help_text="Events received before this are in."
    )
    rows = models.BigIntegerField(default=0, help_text="Rows exported.")
    bytes = models.BigIntegerField(default=0, help_text="Bytes uploaded (data files).")
    files = models.JSONField(default=list, blank=True, help_text="[{name, bytes, md5}].")
    destination = models.CharField(
        max_length=1100,
        blank=True,
        help_text="Bucket or container the run wrote to, e.g. s3://bucket (paths are below it).",
    )
    path = models.CharField(max_length=1024, blank=True, help_text="Where the data files are.")
    manifest = models.CharField(max_length=1024, blank=True, help_text="Manifest object written.")
    duration_seconds = models.FloatField(null=True, blank=True, help_text="Of the last attempt.")
    error_code = models.CharField(
        max_length=100, blank=True, help_text="Provider or internal code."
    )
    error_message = models.TextField(blank=True, help_text="Scrubbed; never a secret.")
    backfill = models.ForeignKey(
        Backfill,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        help_text="The backfill that asked for it; none for the live schedule.",
    )
    # Recorded when the run first starts (ledger.record_filters): its retries and slices read
    # with the filter it began with, a change of the integration's applies from the next run.
    filters = models.JSONField(
        null=True,
        blank=True,
        help_text="Row filter the run exports with, fixed when it first started; null before.",
    )
    parts_allotted = models.PositiveIntegerField(
        default=0, help_text="Part numbers handed to the slices of its last sliced attempt."
    )
    created_at = models.DateTimeField(auto_now_add=True, help_text="When it was scheduled.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it last ended.")
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failed attempt since it last succeeded, if any."
    )

    class Meta:
        ordering = ("-window_start", "-generation")
        constraints = (
            models.UniqueConstraint(
                fields=("integration", "window_start", "generation"),
                name="one_run_per_window_generation",
            ),
        )
        indexes = (
            models.Index(fields=("status", "next_attempt_at")),
            models.Index(fields=("integration", "-window_start")),
            # The dashboard's last success and recent failures of each integration.
            models.Index(fields=("integration", "status", "-window_start")),
            # The recent freshness /metrics reads over every integration (pages.freshness).
            models.Index(fields=("status", "finished_at"), name="run_recently_finished"),
        )

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.integration_id} at {self.window_start:%Y-%m-%d %H:%M}"


class ExportSlice(models.Model):
    """A part of a large log-level hour's attempt, exported by whichever worker claims it
    (feeds.runs.hourly.slices): the ledger coordinates the workers, so it survives broker
    restarts."""

    Status = ExportRun.Status

    run = models.ForeignKey(
        ExportRun, on_delete=models.CASCADE, related_name="slices", help_text="The hour's run."
    )
    attempt = models.PositiveIntegerField(help_text="The run's attempt it belongs to.")
    number = models.PositiveIntegerField(help_text="Its place in the hour, from 0.")
    start = models.DateTimeField(help_text="First event time it holds.")
    end = models.DateTimeField(help_text="Event times before this; the next slice starts here.")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, help_text="State."
    )
    claims = models.PositiveIntegerField(default=0, help_text="Times a worker claimed it.")
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running slice whose lease expired is taken over."
    )
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="Last sent to the queue.")
    began_at = models.DateTimeField(help_text="When the attempt of the hour began.")
    rows = models.BigIntegerField(default=0, help_text="Rows written so far.")
    bytes = models.BigIntegerField(default=0, help_text="Bytes uploaded (data files).")
    files = models.JSONField(
        default=list, blank=True, help_text="[{name, bytes, md5}] uploaded, in order."
    )

    class Meta:
        ordering = ("run", "attempt", "number")
        constraints = (
            models.UniqueConstraint(
                fields=("run", "attempt", "number"), name="one_slice_per_number"
            ),
        )
        indexes = (models.Index(fields=("status", "lease_expires_at")),)

    def __str__(self) -> str:
        return f"Slice {self.number} of run {self.run_id} (attempt {self.attempt})"


class IngestMark(models.Model):
    """An ingestion in flight (feeds.ingestion.marks): its rows will be received at or after
    `started_at`, so raw windows of its tenant and feed ending after that wait for it. Removed in
    the transaction that commits its rows; one left behind by a crashed writer expires."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="+", help_text="Whose rows."
    )
    feed = models.CharField(max_length=50, help_text="Which feed's table.")
    started_at = models.DateTimeField(help_text="No row of this writer is received earlier.")
    expires_at = models.DateTimeField(help_text="After this it is taken for a crashed writer's.")

    class Meta:
        indexes = (models.Index(fields=("expires_at",), name="ingest_mark_expiry"),)

    def __str__(self) -> str:
        return f"{self.feed} of tenant {self.tenant_id} since {self.started_at:%H:%M:%S}"


class SchedulerTick(models.Model):
    """When the beat's schedule task last ran (one row per task name): a beat that stopped is
    seen by `/healthz` and `/metrics` instead of by missing files."""

    name = models.CharField(primary_key=True, max_length=50)
    ticked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.ticked_at:%Y-%m-%d %H:%M:%S}"


class IcebergTable(models.Model):
    """An integration's Apache Iceberg table as its last successful commit left it (format
    `iceberg`): what the read-only REST catalog serves and the integration page shows, without
    reading the customer's bucket on a web request. Written only after the metadata file is in
    the bucket; the bucket's `version-hint.text` and this row name the same file."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="iceberg_tables")
    integration = models.OneToOneField(
        "integrations.Integration", on_delete=models.CASCADE, related_name="iceberg_table"
    )
    table_uuid = models.UUIDField()
    metadata_location = models.CharField(max_length=2048)  # the full URI of vN.metadata.json
    metadata = models.JSONField()  # the table metadata, as written to metadata_location
    committed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Iceberg table of integration {self.integration_id}"
