"""Freshness of raw windows end to end, with ingestion running throughout: the real beat, a real
worker on the bench broker, the ingestion API under load, the S3 stand-in.

Windows are BENCH_FRESH_WINDOW_SECONDS long (default 6; RAW_WINDOW_SECONDS, which only the bench
shortens), so 20 consecutive windows take two minutes instead of five hours. What each window
waits for is what a 15-minute one waits for: its end, the settling second, the close tick, the
writers in flight, the broker's hop and the export. Windows shorter than a minute carry the
second in their file names (integrations.paths.window_file_name).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connections
from django.test import Client
from django.utils import timezone

from bench import setup
from feeds.models import ExportRun
from feeds.schema.derived import csv_header

from .measure import record

ROOT = Path(__file__).resolve().parent.parent
BATCH_EVENTS = 500  # one POST every BATCH_PAUSE seconds: ~2 500 events/s, all the time
BATCH_PAUSE = 0.2
WARM_UP = timedelta(seconds=90)  # the longest the worker and beat may take to start


def freshness_raw_windows(windows: int) -> None:
    """`windows` consecutive raw windows: p50 / p95 / max of file complete minus window end."""
    from exporthub.tenancy.models import ApiKey
    from feeds.ingestion import partitions
    from feeds.runs.windows import ceil
    from integrations.models import Integration, State

    length = timedelta(seconds=int(os.environ.get("BENCH_FRESH_WINDOW_SECONDS", "6")))
    owner = setup.tenant("bench-fresh-windows", 981)
    integration = setup.integration(owner, "clicks", "fresh-windows")
    # Only this integration is exported here: the other cases' must not run.
    Integration.objects.exclude(pk=integration.pk).update(state=State.NEW)
    began = timezone.now()
    partitions.maintain(began, began - timedelta(days=1))
    Integration.objects.filter(pk=integration.pk).update(exports_from=began)
    _, key = ApiKey.issue(owner, "admin", "bench")
    env = {**os.environ, "RAW_WINDOW_SECONDS": str(int(length.total_seconds()))}
    stop, posted, failures = threading.Event(), [0], list[str]()
    with tempfile.TemporaryDirectory(prefix="exporthub-bench-beat-") as folder:
        processes = _celery(env, folder)
        ingesting = threading.Thread(
            target=_ingest, args=(key, stop, posted, failures), daemon=True
        )
        ingesting.start()
        try:
            # Measured from the window after the first file: by then the worker and the beat
            # have started and imported everything (the first window says nothing about that).
            warm = _wait(integration.pk, [ceil(began, length) + length], began + WARM_UP)
            if not warm:
                raise RuntimeError("freshness_raw_windows: no first file after the warm-up")
            ends = [warm[0].window_end + (i + 1) * length for i in range(windows)]
            done = _wait(integration.pk, ends, deadline=ends[-1] + timedelta(seconds=60))
        finally:
            stop.set()
            ingesting.join(timeout=30)
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)
    if failures:
        raise RuntimeError(f"freshness_raw_windows: ingestion stopped: {failures[0]}")
    lateness = sorted(
        (run.finished_at - run.window_end).total_seconds() for run in done if run.finished_at
    )
    if len(lateness) < windows:
        raise RuntimeError(f"freshness_raw_windows: {len(lateness)} of {windows} windows done")
    setup.empty_bucket(integration.config["bucket"])
    record("freshness_raw_windows", sum(run.rows for run in done),
           (ends[-1] - ends[0] + length).total_seconds(), sum(run.bytes for run in done),
           windows=len(lateness), window_seconds=length.total_seconds(),
           p50_s=round(statistics.median(lateness), 2), p95_s=round(_p95(lateness), 2),
           max_s=round(lateness[-1], 2), ingested_events=posted[0],
           broker=env["CELERY_BROKER_URL"].split(":", 1)[0])  # fmt: skip


def _p95(ordered: list[float]) -> float:
    """percentile_cont's interpolation, as the page and /metrics compute it."""
    position = 0.95 * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _celery(env: dict[str, str], folder: str) -> list[subprocess.Popen[bytes]]:
    """A worker on the schedule and exports queues, and the beat, as `make run` starts them."""
    celery = [sys.executable, "-m", "celery", "-A", "exporthub"]
    worker = subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
        [*celery, "worker", "-Q", "schedule,exports", "--concurrency=2", "-n", "fresh@%h",
         "--loglevel=WARNING"], env=env, cwd=ROOT,
    )  # fmt: skip
    beat = subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
        [*celery, "beat", "-s", str(Path(folder) / "beat-schedule"), "--loglevel=WARNING"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    return [worker, beat]


def _wait(integration_id: int, ends: list[datetime], deadline: datetime) -> list[ExportRun]:
    """The runs of those windows once all succeeded (or what there is at the deadline)."""
    while True:
        done = list(
            ExportRun.objects.filter(
                integration_id=integration_id, window_end__in=ends, status="succeeded"
            )
        )
        if len(done) == len(ends) or timezone.now() > deadline:
            return done
        time.sleep(1)


def _ingest(key: str, stop: threading.Event, posted: list[int], failures: list[str]) -> None:
    """POST JSON-lines batches through the API until told to stop."""
    from feeds.demo.synthetic import Generator

    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    names = csv_header("clicks")
    generator = Generator("clicks", 7)
    try:
        while not stop.is_set():
            now = timezone.now()
            lines = [
                json.dumps({n: _json(v) for n, v in zip(names, row, strict=True)})
                for row, _ in generator.rows(BATCH_EVENTS, now - timedelta(seconds=5), now)
            ]
            answer = client.post(
                "/api/v1/events/clicks", "\n".join(lines), content_type="application/x-ndjson"
            )
            if answer.status_code != 202:
                failures.append(f"{answer.status_code}: {answer.content[:300]!r}")
                return
            posted[0] += BATCH_EVENTS
            stop.wait(BATCH_PAUSE)
    finally:
        connections.close_all()


def _json(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
