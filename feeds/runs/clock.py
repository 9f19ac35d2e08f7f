"""The instant every export decision takes: the real clock, or the one `run_exports --now` sets.

The schedule, claims and retries, the processing timestamp, the data cutoff and the archive all
read it, so a simulated instant is simulated throughout (issue: a cutoff on the real clock made
every later tick export the same hour again)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.utils import timezone

_simulated: ContextVar[datetime | None] = ContextVar("simulated_now", default=None)


def now() -> datetime:
    return _simulated.get() or timezone.now()


@contextmanager
def simulated(instant: datetime) -> Iterator[None]:
    """Inside the block, `now()` is `instant`."""
    token = _simulated.set(instant)
    try:
        yield
    finally:
        _simulated.reset(token)
