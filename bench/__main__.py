"""`make bench`: run every case against PostgreSQL and the S3 stand-in, print a table, write
bench/results.json. Sizes: BENCH_ROWS (1 000 000), BENCH_BIG_ROWS (10 000 000; 0 skips),
BENCH_INTEGRATIONS (10 000), BENCH_PARALLEL_ROWS (4 000 000, the hour exported by 1 and by 2
workers; 0 skips) in slices of BENCH_SLICE_ROWS (500 000), BENCH_FRESH_WINDOWS (20 raw windows
of BENCH_FRESH_WINDOW_SECONDS, 6, with ingestion running: freshness_raw_windows). Database:
BENCH_DATABASE_URL (a scratch database, created). Broker: a temporary embedded (filesystem) one,
or BENCH_BROKER_URL (a scratch broker: purged). BENCH_ONLY=case,case runs a subset
(results.json then holds only those)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/exporthub_bench"
COLUMNS = ("name", "rows", "seconds", "rows_per_s", "mb_per_s", "peak_rss_mb",
           "ratio_vs_naive", "ratio_vs_ceiling")  # fmt: skip


def _environment(s3_url: str, broker_dir: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # never the application's broker: the tick really publishes
    env.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB),
        CELERY_BROKER_URL=os.environ.get("BENCH_BROKER_URL") or "filesystem://",
        CELERY_RESULT_BACKEND=os.environ.get("BENCH_BROKER_URL") or f"file://{broker_dir}/results",
        BROKER_DIR=broker_dir,
        DJANGO_SETTINGS_MODULE="exporthub.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        AWS_ENDPOINT_URL_S3=s3_url,
        AWS_ENDPOINT_URL_STS=s3_url,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - the local stand-in accepts anything
        # The benchmarks measure ingestion itself: its throttles are off there.
        THROTTLE_INGEST_RATE="",
        THROTTLE_TENANT_INGEST_RATE="",
        AWS_DEFAULT_REGION="us-east-1",
        EMAIL_URL="consolemail://",
        ENDPOINT_URL_ALLOWED_HOSTS="127.0.0.1",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _create_database(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _run(env: dict[str, str], case: str, size: int) -> list[dict[str, Any]]:
    print(f"… {case} ({size:,})", file=sys.stderr, flush=True)
    done = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "bench.cases", case, str(size)],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench case {case} failed:\n{done.stderr[-4000:]}")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def _ratios(records: list[dict[str, Any]]) -> None:
    by_name = {r["name"]: r for r in records}
    for record in records:
        name = record["name"]
        if not name.startswith("export_") or name.endswith("_10m"):
            continue
        key = name.removeprefix("export_")
        csv_gz = by_name.get("export_csv_gz")
        if key in ("parquet", "jsonl") and csv_gz:  # the same window, in one run
            record["ratio_vs_csv_gz"] = round(record["rows_per_s"] / csv_gz["rows_per_s"], 2)
        naive, ceiling = by_name.get(f"naive_{key}"), by_name.get(f"ceiling_{key}")
        if key == "csv_gz":
            ceiling = by_name.get("ceiling_csv_copy")
        if naive:
            record["ratio_vs_naive"] = round(record["rows_per_s"] / naive["rows_per_s"], 2)
        if ceiling:
            record["ratio_vs_ceiling"] = round(record["rows_per_s"] / ceiling["rows_per_s"], 2)
        fetch = by_name.get(f"fetch_{key}")
        if fetch and ceiling and naive:
            # One interpreter decodes the hour and runs the writer, one after the other: the
            # best ratios an export could reach even if its upload cost nothing.
            one_core = ceiling["seconds"] + fetch["cpu_seconds"]
            record["bound_vs_naive"] = round(naive["seconds"] / one_core, 2)
            record["bound_vs_ceiling"] = round(ceiling["seconds"] / one_core, 2)


def _table(records: list[dict[str, Any]]) -> str:
    extra = ("ratio_vs_csv_gz", "bound_vs_naive", "bound_vs_ceiling", "upload_seconds",
             "cpu_seconds", "queries", "p50_ms", "p95_ms", "p50_s", "p95_s", "max_s")  # fmt: skip
    header = [*COLUMNS, *extra]
    lines = [header] + [[_cell(r.get(c)) for c in header] for r in records]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)) for line in lines
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else str(value)


def main() -> None:
    from moto.server import ThreadedMotoServer

    rows = int(os.environ.get("BENCH_ROWS", 1_000_000))
    big = int(os.environ.get("BENCH_BIG_ROWS", 10_000_000))
    integrations = int(os.environ.get("BENCH_INTEGRATIONS", 10_000))
    parallel = int(os.environ.get("BENCH_PARALLEL_ROWS", 4_000_000))
    fresh_windows = int(os.environ.get("BENCH_FRESH_WINDOWS", 20))
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    broker_dir = tempfile.TemporaryDirectory(prefix="exporthub-bench-broker-")
    env = _environment(f"http://{host}:{port}", broker_dir.name)
    try:
        _create_database(env["DATABASE_URL"])
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
                       env=env, cwd=ROOT, check=True)  # fmt: skip
        # Pages are measured as in production: hashed static files from the manifest.
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                       env=env, cwd=ROOT, check=True)  # fmt: skip
        plan: list[tuple[str, int]] = [
            ("ceiling_csv_copy", rows), ("export_csv_gz", rows), ("naive_csv_gz", rows),
            ("export_csv_gz_filtered", rows), ("export_parquet", rows), ("export_jsonl", rows),
            ("export_iceberg", rows),
            *((f"export_{k}", rows) for k in ("avro_deflate", "avro_snappy", "protobuf_snappy",
                                             "protobuf_delimited_gzip")),
            ("export_avro_deflate_filtered", rows),
            *((f"baselines_{k}", rows) for k in ("avro_deflate", "avro_snappy", "protobuf_snappy",
                                                "protobuf_delimited_gzip")),
            ("freshness", rows), ("freshness_raw_windows", fresh_windows),
            ("scheduler_tick", integrations), ("pages", 1000),
            ("ingestion", 10), ("generate", rows), ("retention_drop", rows), ("hour_read", rows),
        ]  # fmt: skip
        if big:  # peak RSS flat in rows: a raw window and a log-level hour of BENCH_BIG_ROWS
            plan += [("export_csv_gz", big), ("export_parquet", big), ("export_avro_deflate", big)]
        if parallel:
            plan.append(("parallel_hour", parallel))
        only = os.environ.get("BENCH_ONLY")  # e.g. "export_csv_gz,pages" while tuning
        if only:
            plan = [(case, size) for case, size in plan if case in only.split(",")]
        records: list[dict[str, Any]] = []
        for case, size in plan:
            found = _run(env, case, size)
            if case.startswith("export_") and size == big and size != rows:
                for record in found:
                    record["name"] += "_10m" if big == 10_000_000 else f"_{big}"
            records += found
    finally:
        server.stop()
        broker_dir.cleanup()
    _ratios(records)
    RESULTS.write_text(json.dumps(records, indent=2) + "\n")
    print(_table(records))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
