"""Two workers' claims on one row at the same instant, the second meeting the first's lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, connection, connections, transaction

T = TypeVar("T")


def claimed_twice(claim: Callable[[], T]) -> tuple[T, list[T]]:
    """The first claim, made in a transaction held until the second has met its lock, and what
    the second returned ([] when it raised instead)."""
    second: list[T] = []
    met_lock = threading.Event()

    def signal_lock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        try:
            return execute(sql, params, many, context)
        except OperationalError:
            met_lock.set()
            raise

    def other_worker() -> None:
        try:
            with connection.execute_wrapper(signal_lock):
                second.append(claim())
        finally:
            connection.close()

    with transaction.atomic():
        first = claim()  # holds the row's lock until the block ends
        thread = threading.Thread(target=other_worker)
        thread.start()
        _until_the_other_claim_meets_the_lock(thread, met_lock)
    thread.join(timeout=30)
    return first, second


def _until_the_other_claim_meets_the_lock(thread: threading.Thread, met: threading.Event) -> None:
    """PostgreSQL: until the other worker's claim is blocked on our row lock; SQLite: until it
    was refused by our write lock (SQLite answers at once rather than making it wait)."""
    if connection.vendor != "postgresql":
        if met.wait(timeout=30):
            return
        raise AssertionError(f"the other claim never met the lock (alive: {thread.is_alive()})")
    with connections["default"].cursor() as cursor:
        for _ in range(200):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # a fresh view in our transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"the other claim never waited on the lock (alive: {thread.is_alive()})")
