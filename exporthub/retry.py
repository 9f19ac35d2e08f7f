"""Retry delays and due rows, shared by everything ExportHub retries (export runs, outgoing
emails, webhook messages)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


def jittered_backoff(attempts: int, first: timedelta, ceiling: timedelta) -> timedelta:
    """Exponential with full jitter: `first`, twice that, … at most `ceiling`, each drawn
    between half and all of it so that many retries do not come back together."""
    limit = min(ceiling, first * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=random.uniform(0.5, 1.0) * limit.total_seconds())  # noqa: S311  # nosec B311 - jitter


@dataclass(frozen=True)
class RetriedRows:
    """A table of things a worker sends with retries (emails, webhook messages): rows `waiting`
    until their retry time, `working` while a worker holds them under a lease, whose length
    `lease` gives at each claim (it follows the settings)."""

    model: type[models.Model]
    waiting: str
    working: str
    lease: Callable[[], timedelta]

    def due(self) -> Q:
        """Waiting rows whose retry time came, and working ones whose worker's lease ran out
        (it died mid-send)."""
        now = timezone.now()
        ready = Q(status=self.waiting) & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )
        return ready | Q(status=self.working, lease_expires_at__lt=now)

    def due_ids(self) -> list[int]:
        rows = self.model._default_manager.filter(self.due()).order_by("pk")
        return list(rows.values_list("pk", flat=True))

    def claim(self, pk: int) -> bool:
        """Own the row for one lease, counting an attempt; False if it is not due or another
        worker has it (a conditional update: one winner)."""
        return bool(
            self.model._default_manager.filter(self.due(), pk=pk).update(
                status=self.working,
                lease_expires_at=timezone.now() + self.lease(),
                attempts=F("attempts") + 1,
            )
        )
