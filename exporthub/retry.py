"""Retry delays shared by everything ExportHub retries (export runs, outgoing emails)."""

from __future__ import annotations

import random
from datetime import timedelta


def jittered_backoff(attempts: int, first: timedelta, ceiling: timedelta) -> timedelta:
    """Exponential with full jitter: `first`, twice that, … at most `ceiling`, each drawn
    between half and all of it so that many retries do not come back together."""
    limit = min(ceiling, first * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(0.5, 1.0) * limit.total_seconds())  # noqa: S311  # nosec B311 - jitter
