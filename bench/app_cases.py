"""Application cases: the beat tick, page latency, the ingestion API."""

from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import setup
from feeds.models import ExportRun
from feeds.schema.derived import csv_header

from .measure import record, timed

DAY = timedelta(days=1)


def scheduler_tick(integrations: int) -> None:
    """The beat tick (find due windows, create runs, enqueue) with N active raw integrations."""
    from exporthub.celery import app
    from feeds.tasks import dispatch_runs, schedule_exports
    from integrations.models import Integration, State

    owner = setup.tenant("bench-scheduler", 950)
    template = setup.integration(owner, "clicks", "tick-template")
    setup.clones(template, integrations, "tick")
    Integration.objects.exclude(tenant=owner).update(state=State.NEW)
    Integration.objects.filter(tenant=owner).update(state=State.ACTIVE, exports_from=setup.WINDOW)
    ExportRun.objects.filter(integration__tenant=owner).delete()
    # Every integration exported up to the window before the one that is now due.
    ExportRun.objects.bulk_create(
        [
            ExportRun(
                integration_id=pk,
                window_start=setup.WINDOW,
                window_end=setup.RAW_END,
                status="succeeded",
            )
            for pk in Integration.objects.filter(tenant=owner).values_list("pk", flat=True)
        ],
        batch_size=5000,
    )
    now = setup.RAW_END + timedelta(minutes=16)
    app.conf.task_always_eager = False
    from unittest import mock

    # Messages really go to the broker; the dispatch batches are noted to time their fan-out.
    batches: list[list[int]] = []
    publish = dispatch_runs.delay

    def dispatch(run_ids: list[int]) -> Any:
        batches.append(run_ids)
        return publish(run_ids)

    with (
        mock.patch("feeds.tasks.timezone.now", return_value=now),
        mock.patch("feeds.tasks.dispatch_runs.delay", side_effect=dispatch),
        CaptureQueriesContext(connection) as queries,
    ):
        ready, seconds = timed(lambda: schedule_exports("raw"))
    # What the workers then do, together: one message per run.
    published, fanout = timed(lambda: sum(dispatch_runs.run(batch) for batch in batches))
    app.control.purge()
    if published != ready:
        raise RuntimeError(f"scheduler_tick: {ready} runs due, {published} published")
    record("scheduler_tick", integrations, seconds, queries=len(queries), enqueued=ready,
           dispatch_messages=len(batches), fanout_seconds=round(fanout, 3),
           broker=app.conf.broker_url.split(":", 1)[0])  # fmt: skip


def pages(integrations: int) -> None:
    """Dashboard and integration page latency and queries, 1 000 integrations, 100 k runs."""
    from exporthub.tenancy.models import Membership, User

    owner = setup.tenant("bench-pages", 960)
    user, _ = User.objects.get_or_create(email="pages@bench.example")
    Membership.objects.get_or_create(user=user, tenant=owner, defaults={"role": "admin"})
    template = setup.integration(owner, "clicks", "page-template")
    ids = setup.clones(template, integrations, "page")
    runs_wanted = 100_000
    if ExportRun.objects.filter(integration__tenant=owner).count() != runs_wanted:
        ExportRun.objects.filter(integration__tenant=owner).delete()
        per = runs_wanted // len(ids)
        ExportRun.objects.bulk_create(
            [
                ExportRun(
                    integration_id=pk,
                    window_start=setup.WINDOW - timedelta(minutes=15 * k),
                    window_end=setup.WINDOW - timedelta(minutes=15 * (k - 1)),
                    status="failed" if k % 50 == 0 else "succeeded",
                    rows=1000 + k,
                    bytes=50_000 + k,
                )
                for pk in ids
                for k in range(per)
            ],
            batch_size=5000,
        )
    client = Client()
    client.force_login(user)
    for name, url in (
        ("page_dashboard", f"/t/{owner.slug}/"),
        ("page_integration", f"/t/{owner.slug}/integrations/{template.pk}/"),
    ):
        client.get(url)  # warm caches and the session
        latencies = []
        for _ in range(200):
            began = time.perf_counter()
            assert client.get(url).status_code == 200
            latencies.append(time.perf_counter() - began)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        latencies.sort()
        record(name, 200, sum(latencies), queries=len(queries),
               p50_ms=round(statistics.median(latencies) * 1000, 1),
               p95_ms=round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
               integrations=len(ids), runs=runs_wanted)  # fmt: skip


ROUNDS = 3  # the ingestion figures are the median round's: one round lasts ~2 s


def ingestion(batches: int) -> None:
    """POST /api/v1/events/clicks with 10 000-row JSON-lines batches, in process; ROUNDS rounds
    of the same batches (each stored anew), the median round recorded, every round listed."""
    from exporthub.tenancy.models import ApiKey
    from feeds.demo.synthetic import Generator

    owner = setup.tenant("bench-ingest", 970)
    _, raw = ApiKey.issue(owner, "admin", "bench")
    names = csv_header("clicks")
    generator = Generator("clicks", 5)
    bodies = []
    for _ in range(batches):
        lines = []
        for row, _ in generator.rows(10_000, setup.WINDOW, setup.RAW_END):
            lines.append(json.dumps({n: _json(v) for n, v in zip(names, row, strict=True)}))
        bodies.append("\n".join(lines).encode())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.post("/api/v1/events/clicks", bodies[0], content_type="application/x-ndjson")
    rounds = []
    for _ in range(ROUNDS):
        _settle()
        began, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            answer = client.post("/api/v1/events/clicks", body, content_type="application/x-ndjson")
            assert 200 <= answer.status_code < 300, answer.content[:500]
        rounds.append((time.perf_counter() - began, time.process_time() - cpu))
    seconds, cpu_seconds = sorted(rounds)[len(rounds) // 2]  # the median round, with its CPU
    # cpu_seconds: the application's own CPU (parsing, validating, packing COPY rows), far
    # steadier than the wall time on a shared machine; PostgreSQL's share is not in it.
    size, rates = sum(len(b) for b in bodies), _rates(batches, rounds)
    record("ingest_jsonl", batches * 10_000, seconds, size,
           cpu_seconds=round(cpu_seconds, 3), rounds_rows_per_s=rates)  # fmt: skip
    _served_ingestion(raw, bodies)


def _rates(batches: int, rounds: list[tuple[float, float]]) -> list[int]:
    return [round(batches * 10_000 / seconds) for seconds, _ in rounds]


def _settle() -> None:
    """PostgreSQL as a deployment between bursts finds it: the dirty pages that the cases before
    wrote flushed by a checkpoint now (not by one falling inside the round), and no autovacuum
    of their tables running (waited for, up to a minute). Measured in one full run: the same
    rounds at 37 k events/s after the page and scheduler cases, 57 k alone."""
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
        for _ in range(120):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.5)


def _served_ingestion(key: str, bodies: list[bytes]) -> None:
    """The same batches through gunicorn, one worker per core, one client per worker: what a
    deployment on this machine accepts (parsing and validating is Python, one core each)."""
    import http.client
    import os
    import subprocess
    import sys
    from concurrent.futures import ThreadPoolExecutor

    from tests.support.services import free_port, wait_for_port

    workers, port = os.cpu_count() or 1, free_port()
    server = subprocess.Popen(  # noqa: S603 - our own app, fixed arguments
        [sys.executable, "-m", "gunicorn", "exporthub.wsgi", "-w", str(workers),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
    )  # fmt: skip
    rounds = []
    try:
        wait_for_port(port, timeout=60)

        def post(body: bytes) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("POST", "/api/v1/events/clicks", body=body, headers={
                "Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson",
                "Host": "127.0.0.1"})  # fmt: skip
            answer = conn.getresponse()
            assert answer.status == 202, answer.read()[:500]
            conn.close()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(post, bodies[:workers]))  # every worker warm: imports, connections
            for _ in range(ROUNDS):
                _settle()
                began = time.perf_counter()
                list(pool.map(post, bodies))
                rounds.append((time.perf_counter() - began, 0.0))
    finally:
        server.terminate()
        server.wait(timeout=30)
    seconds = statistics.median(r[0] for r in rounds)
    record(f"ingest_jsonl_served_{workers}_workers", len(bodies) * 10_000, seconds,
           sum(len(b) for b in bodies), rounds_rows_per_s=_rates(len(bodies), rounds))  # fmt: skip


def _json(value: Any) -> Any:
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def generate(rows: int) -> None:
    """`generate_events`' PostgreSQL path: N rows of each feed spread over a day, loaded into
    tables that already hold the other cases' rows; removed again afterwards."""
    from feeds.demo.bulk import BulkGenerator
    from feeds.ingestion.store import copy_events
    from feeds.models import EVENT_MODELS

    owner = setup.tenant("bench-generate", 990)
    start = setup.WINDOW - timedelta(days=2)

    def load(feed: str) -> int:
        generator = BulkGenerator(feed, 5)
        return copy_events(feed, generator.copy_chunks(owner.pk, rows, start, start + DAY))

    for feed, model in EVENT_MODELS.items():
        model._default_manager.filter(tenant=owner).delete()
        stored, seconds = timed(partial(load, feed))
        record(f"generate_{feed}", stored, seconds)
        model._default_manager.filter(tenant=owner).delete()
