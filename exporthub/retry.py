"""Retry delays and due rows, shared by everything ExportHub retries (export runs, outgoing
emails, webhook messages)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db.models import Q


def jittered_backoff(attempts: int, first: timedelta, ceiling: timedelta) -> timedelta:
    """Exponential with full jitter: `first`, twice that, … at most `ceiling`, each drawn
    between half and all of it so that many retries do not come back together."""
    limit = min(ceiling, first * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(0.5, 1.0) * limit.total_seconds())  # noqa: S311  # nosec B311 - jitter


def due(now: datetime, *, waiting: str, working: str) -> Q:
    """Rows a worker may claim: `waiting` ones whose retry time came, and `working` ones whose
    worker's lease ran out (it died mid-send)."""
    ready = Q(status=waiting) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    return ready | Q(status=working, lease_expires_at__lt=now)
