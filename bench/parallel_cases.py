"""One large log-level hour exported by 1 and by 2 workers at once (issue 19).

Each worker is a process of its own running what the Celery tasks run: the first claims the run
and splits the hour into slices (`execute`), the others take waiting slices from the ledger
(`execute_slice`), as a worker does with a slice's message. Messages are left out, so the
figures are of the export and its coordination in the database, not of a broker."""

from __future__ import annotations

import multiprocessing
import os
import time
from datetime import timedelta
from multiprocessing.synchronize import Event
from typing import Any

from django.conf import settings
from django.db import connections

from feeds.models import ExportRun, ExportSlice
from feeds.runs.export import execute, execute_slice

from . import setup
from .measure import peak_rss_mb, record, reset_peak_rss

FORMAT = {"format": "avro", "compression": "DEFLATE"}
SLICE_ROWS = int(os.environ.get("BENCH_SLICE_ROWS", 500_000))


def parallel_hour(rows: int) -> None:
    settings.EXPORT_SLICE_ROWS = SLICE_ROWS
    owner = setup.tenant("bench-parallel", 931)
    setup.events(owner, "standard_feed", rows, setup.WINDOW, setup.HOUR_END)
    integration = setup.integration(owner, "standard_feed", "parallel-hour", **FORMAT)
    for workers in (1, 2):
        ExportRun.objects.filter(integration=integration).delete()
        run = ExportRun.objects.create(
            integration=integration, window_start=setup.WINDOW, window_end=setup.HOUR_END
        )
        seconds, peaks = _export(run.pk, workers)
        run.refresh_from_db()
        if run.status != "succeeded" or run.rows != rows:
            raise RuntimeError(f"{workers} worker(s): {run.status} {run.rows} {run.error_code}")
        pieces = list(ExportSlice.objects.filter(run=run).values_list("rows", flat=True))
        setup.empty_bucket(integration.config["bucket"])
        record(
            f"parallel_hour_{workers}_worker{'s' if workers > 1 else ''}", rows, seconds,
            run.bytes, workers=workers, files=len(run.files), slices=len(pieces),
            slice_rows_min=min(pieces), slice_rows_max=max(pieces),
            worker_peak_rss_mb=max(peaks),
        )  # fmt: skip


def _export(run_id: int, workers: int) -> tuple[float, list[float]]:
    """Seconds from the start signal until the hour is recorded, and each worker's peak RSS."""
    connections.close_all()  # each forked worker opens its own
    context = multiprocessing.get_context("fork")
    start, peaks = context.Event(), context.Queue()
    processes = [
        context.Process(target=_worker, args=(run_id, number, start, peaks))
        for number in range(workers)
    ]
    for process in processes:
        process.start()
    time.sleep(1.0)  # every worker imported and waiting
    began = time.perf_counter()
    start.set()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - began
    if any(process.exitcode != 0 for process in processes):
        raise RuntimeError("a bench worker failed")
    return seconds, [peaks.get() for _ in processes]


def _worker(run_id: int, number: int, start: Event, peaks: Any) -> None:
    reset_peak_rss()  # the pages shared with the bench process at the fork do not count
    start.wait()
    if number == 0:
        execute(run_id)
    else:
        _take_slices(run_id)
    peaks.put(round(peak_rss_mb(), 1))


def _take_slices(run_id: int) -> None:
    """What a worker receiving the slices' messages does: claim any waiting slice of the run
    until the run is done."""
    deadline = time.monotonic() + timedelta(hours=1).total_seconds()
    while time.monotonic() < deadline:
        run = ExportRun.objects.get(pk=run_id)
        if run.status != ExportRun.Status.RUNNING and run.attempts > 0:
            return
        waiting = ExportSlice.objects.filter(run_id=run_id, status="pending")
        for slice_id in waiting.values_list("pk", flat=True):
            execute_slice(slice_id)
        time.sleep(0.02)
    raise RuntimeError(f"run {run_id} did not finish within the hour")
