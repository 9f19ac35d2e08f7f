"""Run by test_mark_expiry_race.py in its own process against a scratch PostgreSQL database: an
ingestion in flight on a second connection (its transaction open) against the schedule's
expiry of marks (`SELECT … FOR UPDATE SKIP LOCKED`), ordered by events, never by sleeping.
Prints what it found as one JSON line."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.test_settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from exporthub.tenancy.models import Tenant  # noqa: E402
from feeds.demo.synthetic import Generator  # noqa: E402
from feeds.ingestion import marks  # noqa: E402
from feeds.ingestion.store import store_events  # noqa: E402
from feeds.models import ExportRun, IngestMark  # noqa: E402
from feeds.runs import clock  # noqa: E402
from feeds.runs.reading import window_rows  # noqa: E402
from feeds.runs.schedule import schedule  # noqa: E402
from integrations.catalog import FeedKind  # noqa: E402
from tests.support.exports import active  # noqa: E402

T0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
WINDOW = timedelta(minutes=15)
WAIT = 60  # seconds an event may take before the probe gives up: a hang, not a timing


def _rows(count: int, seed: int) -> list[tuple[Any, ...]]:
    return [row for row, _ in Generator("clicks", seed).rows(count, T0, T0 + WINDOW)]


def _closed(start: datetime, now: datetime) -> bool:
    """Whether the tick at `now` closes the window starting at `start` (creates its run)."""
    schedule(now, (FeedKind.RAW,))
    return ExportRun.objects.filter(window_start=start).exists()


def _window(tenant: Tenant, start: datetime) -> list[str]:
    """The click ids the window's export reads, committed as of now."""
    read = window_rows("clicks", tenant.pk, "received_at", start, start + WINDOW, filters=[])
    return sorted(str(row[0]) for row in read)


class Writer(threading.Thread):
    """An ingestion on its own connection: a mark committed at `begins`, then its rows stored in
    one transaction that `pause` holds open (see each scenario), committing at `commits`."""

    def __init__(
        self, tenant: Tenant, rows: list[tuple[Any, ...]], begins: datetime, commits: datetime
    ) -> None:
        super().__init__(daemon=True)
        self.tenant, self.rows, self.begins, self.commits = tenant, rows, begins, commits
        self.paused, self.resume = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        self.stored = 0

    def pause(self) -> None:
        if not self.paused.is_set():
            self.paused.set()
            if not self.resume.wait(WAIT):
                raise RuntimeError("the probe never resumed the writer")

    def store(self, at: datetime) -> int:
        return store_events(self.tenant, "clicks", [(row, at) for row in self.rows])

    def ingest(self, store: Callable[[datetime], int]) -> None:
        with clock.simulated(self.begins):
            flight = marks.begin(self.tenant.pk, "clicks")
        with clock.simulated(self.commits):
            self.stored = marks.store_marked(self.tenant.pk, "clicks", store, flight)

    def run(self) -> None:
        try:
            self.work()
        except BaseException as exc:
            self.error = exc
            self.paused.set()
        finally:
            connection.close()

    def work(self) -> None:
        raise NotImplementedError


class HeldBeforeItsDelete(Writer):
    """Its rows inserted, its transaction open, its mark not yet touched: an ingestion that
    stalls past the bound (the mark then expires and is deleted under it)."""

    def work(self) -> None:
        def store(at: datetime) -> int:
            stored = self.store(at)
            self.pause()  # only the first attempt: the retry stores at once
            return stored

        self.ingest(store)


class CommittingItsDelete(Writer):
    """Its rows inserted and its mark's delete run (the row locked), the commit not yet done:
    an ingestion committing at the moment its mark expires."""

    def work(self) -> None:
        def pause_after_the_delete(execute: Any, sql: str, *args: Any) -> Any:
            result = execute(sql, *args)
            if sql.startswith("DELETE") and IngestMark._meta.db_table in sql:
                self.pause()
            return result

        with connection.execute_wrapper(pause_after_the_delete):
            self.ingest(self.store)


def _started(writer: Writer) -> None:
    writer.start()
    if not writer.paused.wait(WAIT) or writer.error is not None:
        raise RuntimeError(f"the writer never reached its pause: {writer.error!r}")


def _finished(writer: Writer) -> None:
    writer.resume.set()
    writer.join(WAIT)
    if writer.is_alive() or writer.error is not None:
        raise RuntimeError(f"the writer did not finish: {writer.error!r}")


def main() -> None:
    call_command("migrate", verbosity=0)
    bound = timedelta(seconds=settings.INGEST_MARK_SECONDS)
    tenant = Tenant.objects.create(name="Acme Ads", slug="acme-ads", seat_id=998)
    active(tenant, "s3", "clicks", T0, bucket="not-contacted")
    end = second = T0 + WINDOW  # the first window's end, the second's start
    on_time = _rows(20, seed=1)
    store_events(tenant, "clicks", [(row, end - timedelta(seconds=30)) for row in on_time])
    # A reaper that waited on a writer's row lock would hang here: make it an error instead.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
    found: dict[str, Any] = {}

    # 1. A writer in flight since before the end, stalled past the bound.
    stalled = HeldBeforeItsDelete(
        tenant, _rows(7, seed=2), end - timedelta(seconds=10), end + bound + timedelta(seconds=5)
    )
    _started(stalled)
    found["held_while_live"] = [
        not _closed(T0, end + timedelta(seconds=2)),
        not _closed(T0, end - timedelta(seconds=10) + bound - timedelta(seconds=1)),
    ]
    found["closed_once_expired"] = _closed(T0, end + bound)
    found["first_window_at_close"] = _window(tenant, T0)
    _finished(stalled)
    found["stalled_stored"] = stalled.stored
    found["first_window_after"] = _window(tenant, T0)

    # 2. A writer whose mark's delete holds the row lock when the mark expires.
    third = second + WINDOW
    committing = CommittingItsDelete(
        tenant, _rows(5, seed=3), third - timedelta(seconds=10), third - timedelta(seconds=5)
    )
    _started(committing)
    expired = third - timedelta(seconds=10) + bound + timedelta(seconds=1)
    found["locked_mark_holds_the_window"] = not _closed(second, expired)
    found["locked_mark_kept"] = IngestMark.objects.count()
    _finished(committing)
    found["closed_after_commit"] = _closed(second, expired + timedelta(seconds=1))
    found["second_window"] = _window(tenant, second)
    found["expected"] = {
        "on_time": sorted(str(row[0]) for row in on_time),
        "stalled": sorted(str(row[0]) for row in stalled.rows),
        "committing": sorted(str(row[0]) for row in committing.rows),
    }
    found["marks_left"] = IngestMark.objects.count()
    print(json.dumps(found))


if __name__ == "__main__":
    main()
