"""One benchmark case per process (`python -m bench.cases <case> <rows>`), so each reports its
own peak RSS; prints one JSON record per measurement."""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exporthub.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import setup  # noqa: E402
from feeds.copy_source import copy_statement  # noqa: E402
from feeds.export import execute  # noqa: E402
from feeds.formats import writer_class  # noqa: E402
from feeds.formats.values import csv_text  # noqa: E402
from feeds.models import EVENT_MODELS, ExportRun  # noqa: E402
from feeds.schemas import csv_header  # noqa: E402

MB = 1_000_000
LOG_LEVEL_FORMATS = {
    "avro_deflate": ("avro", "DEFLATE"),
    "avro_snappy": ("avro", "SNAPPY"),
    "protobuf_snappy": ("protobuf", "SNAPPY"),
    "protobuf_delimited_gzip": ("protobuf-delimited", "GZIP"),
}


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries that over
    exec from the parent, so every case would report at least the orchestrator's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record(name: str, rows: int, seconds: float, size: int = 0, **extra: Any) -> None:
    print(
        json.dumps(
            {
                "name": name,
                "rows": rows,
                "seconds": round(seconds, 3),
                "rows_per_s": round(rows / seconds) if seconds else None,
                "mb_per_s": round(size / MB / seconds, 1) if seconds and size else None,
                "peak_rss_mb": round(peak_rss_mb(), 1),
                **extra,
            }
        ),
        flush=True,
    )


def reset_peak_rss() -> None:
    """Forget the high-water mark so far (Linux ≥ 4.0), so setup does not count."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    reset_peak_rss()
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def _export(name: str, feed: str, rows: int, **fields: Any) -> None:
    """End to end: database → file(s) → S3 stand-in, through the production code path."""
    owner = setup.tenant(f"bench-{feed.replace('_', '-')}", 900 + len(feed))
    end = setup.RAW_END if feed == "clicks" else setup.HOUR_END
    setup.events(owner, feed, rows, setup.WINDOW, end)
    integration = setup.integration(owner, feed, name.replace("_", "-"), **fields)
    run = ExportRun.objects.create(
        integration=integration, window_start=setup.WINDOW, window_end=end
    )
    done, seconds = timed(lambda: execute(run.pk))
    if done is None or done.status != "succeeded":
        raise RuntimeError(f"{name}: {done and (done.error_code, done.error_message)}")
    setup.empty_bucket(integration.config["bucket"])
    record(f"export_{name}", done.rows, seconds, done.bytes, files=len(done.files))


def export_csv_gz(rows: int) -> None:
    _export("csv_gz", "clicks", rows)


def _log_level(key: str) -> Callable[[int], None]:
    data_format, compression = LOG_LEVEL_FORMATS[key]
    return lambda rows: _export(key, "standard_feed", rows, format=data_format,
                                compression=compression)  # fmt: skip


def naive_csv_gz(rows: int) -> None:
    """What a first version does: ORM objects → csv.writer → gzip level 6 → one upload."""
    import boto3

    owner = setup.tenant("bench-clicks", 906)
    setup.events(owner, "clicks", rows, setup.WINDOW, setup.RAW_END)
    names = csv_header("clicks")
    bucket = setup.bucket("bench-naive")

    def work() -> int:
        objects = list(
            EVENT_MODELS["clicks"]
            ._default_manager.filter(
                tenant=owner, received_at__gte=setup.WINDOW, received_at__lt=setup.RAW_END
            )
            .order_by("received_at", "id")
        )
        with tempfile.TemporaryFile() as spool:
            with gzip.open(spool, "wt", compresslevel=6, newline="") as text:
                writer = csv.writer(text)
                writer.writerow(names)
                for obj in objects:
                    writer.writerow([csv_text(getattr(obj, n)) for n in names])
            spool.seek(0)
            body = spool.read()
        boto3.client("s3", region_name="us-east-1").put_object(
            Bucket=bucket, Key="naive.csv.gz", Body=body
        )
        return len(body)

    size, seconds = timed(work)
    setup.empty_bucket(bucket)
    record("naive_csv_gz", rows, seconds, size)


def ceiling_csv_copy(rows: int) -> None:
    """PostgreSQL's COPY … TO STDOUT (FORMAT csv) of the same rows, read and discarded."""
    owner = setup.tenant("bench-clicks", 906)
    setup.events(owner, "clicks", rows, setup.WINDOW, setup.RAW_END)
    statement = copy_statement("clicks", owner.pk, setup.WINDOW, setup.RAW_END)

    def work() -> int:
        size = 0
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for chunk in copy:
                size += len(chunk)
        return size

    size, seconds = timed(work)
    record("ceiling_csv_copy", rows, seconds, size)


def _fetch_standard_feed(rows: int) -> tuple[Any, list[str]]:
    owner = setup.tenant("bench-standard-feed", 913)
    setup.events(owner, "standard_feed", rows, setup.WINDOW, setup.HOUR_END)
    names = csv_header("standard_feed")
    model = EVENT_MODELS["standard_feed"]
    query = model._default_manager.filter(
        tenant=owner, event_time__gte=setup.WINDOW, event_time__lt=setup.HOUR_END
    ).order_by("event_time", "id")
    return query, names


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def log_level_baselines(key: str) -> Callable[[int], None]:
    """Naive: ORM objects, the writer, one upload. Ceiling: the writer alone on rows in memory."""
    data_format, compression = LOG_LEVEL_FORMATS[key]

    def run(rows: int) -> None:
        import boto3

        query, names = _fetch_standard_feed(rows)
        writer = writer_class(data_format)
        bucket = setup.bucket("bench-naive")

        def naive() -> int:
            objects = list(query)
            with tempfile.TemporaryFile() as spool:
                part = writer("standard_feed", spool, compression)
                part.write_rows(tuple(getattr(o, n) for n in names) for o in objects)
                result = part.close()
                spool.seek(0)
                boto3.client("s3", region_name="us-east-1").put_object(
                    Bucket=bucket, Key=f"naive-{key}", Body=spool.read()
                )
            return result.bytes

        size, seconds = timed(naive)
        setup.empty_bucket(bucket)
        record(f"naive_{key}", rows, seconds, size)
        in_memory = list(query.values_list(*names).iterator(chunk_size=10_000))

        def ceiling() -> int:
            part = writer("standard_feed", _Discard(), compression)  # type: ignore[arg-type]
            part.write_rows(in_memory)
            return part.close().bytes

        size, seconds = timed(ceiling)
        record(f"ceiling_{key}", rows, seconds, size)

    return run


def scheduler_tick(integrations: int) -> None:
    """The beat tick (find due windows, create runs, enqueue) with N active raw integrations."""
    from exporthub.celery import app
    from feeds.tasks import schedule_exports
    from integrations.models import Integration, State

    owner = setup.tenant("bench-scheduler", 950)
    template = setup.integration(owner, "clicks", "tick-template")
    have = Integration.objects.filter(tenant=owner).count()
    clones = []
    for i in range(have, integrations):
        clone = Integration.objects.get(pk=template.pk)
        clone.pk = None
        clone.name = f"tick-{i}"
        clone.destination_key = f"{template.destination_key}-{i}"
        clones.append(clone)
    Integration.objects.bulk_create(clones, batch_size=1000)
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
    sent: list[int] = []
    app.conf.task_always_eager = False
    from unittest import mock

    with (
        mock.patch("feeds.tasks.timezone.now", return_value=now),
        mock.patch("feeds.tasks.export_run.delay", side_effect=sent.append),
        CaptureQueriesContext(connection) as queries,
    ):
        ready, seconds = timed(lambda: schedule_exports("raw"))
    record("scheduler_tick", integrations, seconds, queries=len(queries), enqueued=ready)


def pages(integrations: int) -> None:
    """Dashboard and integration page latency and queries, 1 000 integrations, 100 k runs."""
    from exporthub.tenancy.models import Membership, User
    from integrations.models import Integration

    owner = setup.tenant("bench-pages", 960)
    user, _ = User.objects.get_or_create(email="pages@bench.example")
    Membership.objects.get_or_create(user=user, tenant=owner, defaults={"role": "admin"})
    template = setup.integration(owner, "clicks", "page-template")
    have = Integration.objects.filter(tenant=owner).count()
    clones = []
    for i in range(have, integrations):
        clone = Integration.objects.get(pk=template.pk)
        clone.pk, clone.name = None, f"page-{i}"
        clone.destination_key = f"{template.destination_key}-p{i}"
        clones.append(clone)
    Integration.objects.bulk_create(clones, batch_size=1000)
    ids = list(Integration.objects.filter(tenant=owner).values_list("pk", flat=True))
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


def ingestion(batches: int) -> None:
    """POST /api/v1/events/clicks with 10 000-row JSON-lines batches, in process."""
    from exporthub.tenancy.models import ApiKey
    from feeds.synthetic import Generator

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
    began = time.perf_counter()
    for body in bodies:
        answer = client.post("/api/v1/events/clicks", body, content_type="application/x-ndjson")
        assert 200 <= answer.status_code < 300, answer.content[:500]
    seconds = time.perf_counter() - began
    record("ingest_jsonl", batches * 10_000, seconds, sum(len(b) for b in bodies))


def _json(value: Any) -> Any:
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def freshness(rows: int) -> None:
    """A closed 15-minute window of N clicks: `run_exports --now` until its file is complete.

    The window is due once its one-minute grace has passed (rows still committing); that minute
    is by design and not counted here."""
    from django.core.management import call_command

    from feeds.catalog import FeedKind
    from feeds.windows import GRACE
    from integrations.models import Integration, State

    owner = setup.tenant("bench-fresh", 980)
    setup.events(owner, "clicks", rows, setup.WINDOW, setup.RAW_END)
    integration = setup.integration(owner, "clicks", "fresh")
    # Only this window is due: the other cases' integrations must not run here.
    Integration.objects.exclude(pk=integration.pk).update(state=State.NEW)
    due = setup.RAW_END + GRACE[FeedKind.RAW]
    _, seconds = timed(
        lambda: call_command("run_exports", f"--now={due.isoformat()}", stdout=io.StringIO())
    )
    run = ExportRun.objects.get(integration=integration, window_start=setup.WINDOW)
    assert run.status == "succeeded", (run.error_code, run.error_message)
    setup.empty_bucket(integration.config["bucket"])
    record("freshness_clicks_window", run.rows, seconds, run.bytes)


CASES: dict[str, Callable[[int], None]] = {
    "export_csv_gz": export_csv_gz,
    "naive_csv_gz": naive_csv_gz,
    "ceiling_csv_copy": ceiling_csv_copy,
    **{f"export_{key}": _log_level(key) for key in LOG_LEVEL_FORMATS},
    **{f"baselines_{key}": log_level_baselines(key) for key in LOG_LEVEL_FORMATS},
    "scheduler_tick": scheduler_tick,
    "pages": pages,
    "ingestion": ingestion,
    "freshness": freshness,
}

if __name__ == "__main__":
    CASES[sys.argv[1]](int(sys.argv[2]))
