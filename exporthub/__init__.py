"""ExportHub project package: settings, URLs, the Celery app and the tenancy core."""

from __future__ import annotations

from .allocator import tune_arrow_pool

tune_arrow_pool()  # before anything loads PyArrow, whose allocator reads it once

from .celery import app as celery_app  # noqa: E402 - after the allocator's settings

__all__ = ["celery_app"]
