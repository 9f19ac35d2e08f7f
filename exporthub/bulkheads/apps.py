from __future__ import annotations

from django.apps import AppConfig


class BulkheadsConfig(AppConfig):
    name = "exporthub.bulkheads"
    label = "bulkheads"
    verbose_name = "Bulkheads"
    default_auto_field = "django.db.models.BigAutoField"
