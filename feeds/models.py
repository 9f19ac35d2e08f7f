"""Stored events: one table per feed, its columns generated from feeds/columns.py.

Every row belongs to a tenant and carries `received_at`, the time ExportHub accepted it. Raw
feeds are exported by received_at windows (late events are never lost or exported twice);
log-level feeds by event hour. Both lookups start with the tenant, so each has a composite
B-tree index. See docs/feeds.md for why not partitioning or BRIN yet.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from exporthub.tenancy.models import Tenant

from .columns import COLUMNS, Column


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


def _event_model(feed: str, class_name: str) -> type[models.Model]:
    attrs: dict[str, Any] = {
        "__module__": __name__,
        "__doc__": f"One {feed} event.",
        "tenant": models.ForeignKey(
            Tenant, on_delete=models.CASCADE, related_name="+", help_text="Owner of the event."
        ),
        "received_at": models.DateTimeField(help_text="When ExportHub accepted the event."),
        **{column.name: _field(column) for column in COLUMNS[feed]},
        "Meta": type(
            "Meta",
            (),
            {
                "indexes": (
                    models.Index(fields=("tenant", "received_at"), name=f"{feed[:12]}_received"),
                    models.Index(fields=("tenant", "event_time"), name=f"{feed[:12]}_event_time"),
                ),
            },
        ),
    }
    return type(class_name, (models.Model,), attrs)


ClickEvent = _event_model("clicks", "ClickEvent")
ConversionEvent = _event_model("conversions", "ConversionEvent")
StandardFeedEvent = _event_model("standard_feed", "StandardFeedEvent")

EVENT_MODELS: dict[str, type[models.Model]] = {
    "clicks": ClickEvent,
    "conversions": ConversionEvent,
    "standard_feed": StandardFeedEvent,
}
