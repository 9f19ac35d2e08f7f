"""Export cases: end to end through the production code, the naive path, the ceilings."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, cast

import fastavro
from django.db import connection
from fastavro import parse_schema

from bench import setup
from feeds.formats import PartResult, writer_class
from feeds.formats.avro import CODECS as AVRO_CODECS
from feeds.formats.values import csv_text
from feeds.models import EVENT_MODELS, ExportRun
from feeds.runs import upload as upload_module
from feeds.runs.export import execute
from feeds.runs.growing_spool import GrowingSpool
from feeds.runs.reading import copy_statement, hour_rows
from feeds.schema.derived import avro_schema, csv_header
from integrations.destinations.base import Connection

from .measure import record, timed

LOG_LEVEL_FORMATS = {
    "avro_deflate": ("avro", "DEFLATE"),
    "avro_snappy": ("avro", "SNAPPY"),
    "protobuf_snappy": ("protobuf", "SNAPPY"),
    "protobuf_delimited_gzip": ("protobuf-delimited", "GZIP"),
}


def _export(name: str, feed: str, rows: int, **fields: Any) -> None:
    """End to end: database → file(s) → S3 stand-in, through the production code path."""
    owner = setup.tenant(f"bench-{feed.replace('_', '-')}", 900 + len(feed))
    end = setup.RAW_END if feed == "clicks" else setup.HOUR_END
    setup.events(owner, feed, rows, setup.WINDOW, end)
    integration = setup.integration(owner, feed, name.replace("_", "-"), **fields)
    run = ExportRun.objects.create(
        integration=integration, window_start=setup.WINDOW, window_end=end
    )
    uploads = _timing_uploads()
    # This process's CPU (the stand-in and PostgreSQL run in others): steadier than the wall
    # clock on a shared machine, for comparing two versions of the writer.
    cpu = time.process_time()
    done, seconds = timed(lambda: execute(run.pk))
    cpu = time.process_time() - cpu
    if done is None or done.status != "succeeded":
        raise RuntimeError(f"{name}: {done and (done.error_code, done.error_message)}")
    setup.empty_bucket(integration.config["bucket"])
    record(f"export_{name}", done.rows, seconds, done.bytes, files=len(done.files),
           upload_seconds=round(sum(uploads), 3), cpu_seconds=round(cpu, 3))  # fmt: skip


def _timing_uploads() -> list[float]:
    """Seconds each file's upload to the stand-in takes beyond its writing, part of the export's
    time: the stand-in (moto, in Python) shares the two cores with the export."""
    spent: list[float] = []
    upload = upload_module.upload_part

    def timed_upload(
        conn: Connection, key: str, stream: IO[bytes], content_type: str, written: PartResult
    ) -> None:
        began = time.perf_counter()
        upload(conn, key, stream, content_type, written)
        spent.append(time.perf_counter() - began)

    upload_module.upload_part = timed_upload
    overlapped = upload_module.while_writing

    @contextlib.contextmanager
    def timed_tail(
        conn: Connection,
        key: str,
        content_type: str,
        keep_alive: Callable[[], None] | None = None,
        every: float = 60.0,
    ) -> Iterator[GrowingSpool]:
        """A raw window's file goes up while it is written: what counts is the upload's tail,
        from the writer's last byte to the object complete."""
        ended: list[float] = []
        with overlapped(conn, key, content_type, keep_alive, every) as spool:
            end = spool.end

            def timed_end(result: PartResult) -> None:
                ended.append(time.perf_counter())
                end(result)

            spool.end = timed_end  # type: ignore[method-assign]
            yield spool
        spent.append(time.perf_counter() - ended[0])

    upload_module.while_writing = timed_tail
    return spent


def export_csv_gz(rows: int) -> None:
    _export("csv_gz", "clicks", rows)


def export_raw(data_format: str) -> Callable[[int], None]:
    """The same clicks window as export_csv_gz, in another raw format (issue 22)."""
    return lambda rows: _export(data_format, "clicks", rows, format=data_format)


def log_level(key: str) -> Callable[[int], None]:
    data_format, compression = LOG_LEVEL_FORMATS[key]
    return lambda rows: _export(key, "standard_feed", rows, format=data_format,
                                compression=compression)  # fmt: skip


# A filter keeping about a third to two thirds of the rows, on columns without an index of their
# own: what a row filter costs the database's scan and saves the writer and the upload.
FILTERED = {
    "clicks": "device_type in desktop, tablet\nis_unique eq false",
    "standard_feed": "event_type eq imp\nmedia_type ne video",
}


def filtered(case: str) -> Callable[[int], None]:
    """export_csv_gz or export_avro_deflate with a row filter (`config.filters`)."""
    if case == "csv_gz":
        return lambda rows: _export("csv_gz_filtered", "clicks", rows, filters=FILTERED["clicks"])
    data_format, compression = LOG_LEVEL_FORMATS[case]
    fields = {"format": data_format, "compression": compression}
    kept = FILTERED["standard_feed"]
    return lambda rows: _export(f"{case}_filtered", "standard_feed", rows, filters=kept, **fields)


def export_iceberg(rows: int) -> None:
    """A standard-feed hour as one Iceberg commit: Parquet data files through the destination
    connection, metadata and manifests by pyiceberg (issue 36); peak RSS must stay flat."""
    _export("iceberg", "standard_feed", rows, format="iceberg", compression="ZSTD",
            table_path="/iceberg/standard_feed")  # fmt: skip


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


def _standard_feed_hour(rows: int) -> tuple[Any, list[str], int]:
    """The hour's rows as ORM objects (a query), the column names and the tenant."""
    owner = setup.tenant("bench-standard-feed", 913)
    setup.events(owner, "standard_feed", rows, setup.WINDOW, setup.HOUR_END)
    names = csv_header("standard_feed")
    model = EVENT_MODELS["standard_feed"]
    query = model._default_manager.filter(
        tenant=owner, event_time__gte=setup.WINDOW, event_time__lt=setup.HOUR_END
    ).order_by("event_time", "id")
    return query, names, owner.pk


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def _naive_file(data_format: str, compression: str, spool: IO[bytes], rows: Any) -> None:
    """The file as a first version writes it: the libraries' defaults, like gzip level 6 for CSV
    (fastavro's deflate is zlib's default level, 6), not the export's tuned level 1."""
    if data_format == "avro":
        names = csv_header("standard_feed")
        records = (dict(zip(names, row, strict=True)) for row in rows)
        schema = parse_schema(avro_schema("standard_feed"))
        fastavro.writer(spool, schema, records, codec=AVRO_CODECS[compression])
        return
    # Delimited gzip through gzip.open; a SequenceFile's snappy has no level to choose.
    packed = compression == "GZIP"
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(gzip.open(spool, "wb", compresslevel=6)) if packed else spool
        part = writer_class(data_format)("standard_feed", cast(IO[bytes], out),
                                         "NONE" if packed else compression)  # fmt: skip
        part.write_rows(rows)
        part.close()


def log_level_baselines(key: str) -> Callable[[int], None]:
    """Naive: ORM objects, the writer at the libraries' defaults, one upload. Ceiling: the writer
    alone (encoding included) on the rows held in memory as the export hands them over: binary
    COPY batches of values PostgreSQL prepared (reading.hour_rows)."""
    data_format, compression = LOG_LEVEL_FORMATS[key]

    def run(rows: int) -> None:
        import boto3

        query, names, tenant_id = _standard_feed_hour(rows)
        writer = writer_class(data_format)
        bucket = setup.bucket("bench-naive")

        def read() -> tuple[Any, bool]:
            return hour_rows(
                writer, "standard_feed", tenant_id, setup.WINDOW, setup.HOUR_END, setup.HOUR_END,
                filters=(),
            )  # fmt: skip

        # The export's other half: the same rows read from the database and dropped (first,
        # while this process is small, so its peak memory is its own). Its CPU is what it costs
        # the export's interpreter; the server's part runs in parallel, on the other core.
        cpu = time.process_time()
        count, seconds = timed(lambda: sum(batch.rows for batch in read()[0]))
        record(f"fetch_{key}", count, seconds, cpu_seconds=round(time.process_time() - cpu, 3))

        def naive() -> int:
            objects = list(query)
            with tempfile.TemporaryFile() as spool:
                _naive_file(data_format, compression, spool,
                            (tuple(getattr(o, n) for n in names) for o in objects))  # fmt: skip
                size = spool.tell()
                spool.seek(0)
                boto3.client("s3", region_name="us-east-1").put_object(
                    Bucket=bucket, Key=f"naive-{key}", Body=spool.read()
                )
            return size

        size, seconds = timed(naive)
        setup.empty_bucket(bucket)
        record(f"naive_{key}", rows, seconds, size)

        in_memory = list(read()[0])

        def ceiling() -> int:
            discard: Any = _Discard()
            part = writer("standard_feed", discard, compression)
            for batch in in_memory:
                part.write_records(writer.encode("standard_feed", batch))
            return part.close().bytes

        size, seconds = timed(ceiling)
        record(f"ceiling_{key}", rows, seconds, size)

    return run


def freshness(rows: int) -> None:
    """A closed 15-minute window of N clicks: `run_exports --now` until its file is complete.

    Run at the window's end plus the close delay (nothing in flight: settled, then the close
    tick); the export's own time, at scale (freshness_raw_windows measures the whole path)."""
    from django.core.management import call_command

    from feeds.runs.windows import raw_close_delay
    from integrations.models import Integration, State

    owner = setup.tenant("bench-fresh", 980)
    setup.events(owner, "clicks", rows, setup.WINDOW, setup.RAW_END)
    integration = setup.integration(owner, "clicks", "fresh")
    # Only this window is due: the other cases' integrations must not run here.
    Integration.objects.exclude(pk=integration.pk).update(state=State.NEW)
    due = setup.RAW_END + raw_close_delay()
    _, seconds = timed(
        lambda: call_command("run_exports", f"--now={due.isoformat()}", stdout=io.StringIO())
    )
    run = ExportRun.objects.get(integration=integration, window_start=setup.WINDOW)
    assert run.status == "succeeded", (run.error_code, run.error_message)
    setup.empty_bucket(integration.config["bucket"])
    record("freshness_clicks_window", run.rows, seconds, run.bytes)
