"""A claim that meets another writer's lock on SQLite: tried again briefly, then lost.

PostgreSQL makes a conflicting claim wait on the row lock and then judge the row as committed.
SQLite refuses it instead: 'database table is locked' at once between connections sharing a
cache (the test database), 'database is locked' after the busy timeout between processes. A
claim is only ever a bid for work the tick hands out again, so losing it is safe; crashing the
task is not (the worker's message would be retried as a failure).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection, transaction

T = TypeVar("T")
TRIES = 4
PAUSE_SECONDS = 0.05  # doubled after each refusal: 0.05 + 0.1 + 0.2 s before losing


def claimed(take: Callable[[], T | None]) -> T | None:
    """`take` in one transaction (a savepoint inside another); None when SQLite kept it locked."""
    for attempt in range(TRIES):
        try:
            with transaction.atomic():
                return take()
        except OperationalError as error:
            if not _locked(error):
                raise
            if attempt + 1 < TRIES:
                time.sleep(PAUSE_SECONDS * 2**attempt)
    return None


def _locked(error: OperationalError) -> bool:
    return connection.vendor == "sqlite" and "locked" in str(error)
