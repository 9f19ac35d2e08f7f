"""A worker process killed (SIGKILL) in the middle of an Iceberg commit (issue 36): the previous
snapshot stays current, for our catalog and for readers of version-hint.text, and the run's
retry adds each row once.

The worker is `manage.py run_exports` in its own process, on a scratch database and the S3
stand-in behind a relay that holds one of the commit's writes: when the relay has it, the worker
is inside the commit (its data file and manifests written, the table row locked), and is
killed there. The test process never touches that database itself (a probe reads it)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlsplit

import pytest

from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.iceberg_readback import static_table
from tests.support.probes import ROOT, run_probe
from tests.support.scratch_databases import scratch_postgres, suite_postgres
from tests.support.standins import relay

PROBE = "tests.feeds.iceberg_worker_probe"
SECOND_HOUR_DUE = "2026-11-22T12:11:00Z"
AFTER_THE_LEASE = "2026-11-22T12:40:00Z"  # the killed attempt's 15-minute lease is over
TABLE = "lake/standard"
SECOND_HOUR = f"{TABLE}/data/event_time_hour=2026-11-22-11/"


class HoldingRelay:
    """Relays every request to the stand-in but the first PUT of a key ending in `suffix`,
    which it neither forwards nor answers: the writer waits there until it is killed."""

    def __init__(self, upstream: str, suffix: str) -> None:
        parsed = urlparse(upstream)
        self.upstream = (parsed.hostname or "127.0.0.1", parsed.port or 80)
        self.suffix = suffix
        self.held = threading.Event()
        self.released = threading.Event()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        holding = self

        class Relay(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                path = urlsplit(self.path).path
                put = self.command == "PUT" and path.endswith(holding.suffix)
                if put and not holding.held.is_set():
                    holding.held.set()
                    holding.released.wait()
                    self.close_connection = True
                    return
                conn = http.client.HTTPConnection(*holding.upstream, timeout=60)
                relay(self, conn, body)  # Host kept: S3 signs it

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _handle

            def log_message(self, *args: object) -> None:
                pass

        return Relay

    @contextmanager
    def serve(self) -> Iterator[str]:
        server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            self.released.set()
            server.shutdown()
            server.server_close()


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """PostgreSQL beside the suite's when DATABASE_URL is PostgreSQL (as in CI), else a SQLite
    file (make run's): a database every process of the test opens, which the suite's test
    database (in memory on SQLite, in a transaction) is not. Named for this test alone, so no
    other test's drop can reach it."""
    if suite_postgres() is None:
        yield f"sqlite:///{tmp_path / 'exporthub.sqlite3'}"
        return
    with scratch_postgres("iceberg_killed") as url:
        yield url


def process_env(database_url: str, s3_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    return {
        **env, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings", "DATABASE_URL": database_url,
        "AWS_ENDPOINT_URL_S3": s3_url, "AWS_ENDPOINT_URL_STS": s3_url,
        "AWS_ACCESS_KEY_ID": "AKIAPLATFORM00000000", "AWS_SECRET_ACCESS_KEY": "platform-secret",
    }  # fmt: skip


def run_exports(env: dict[str, str], now: str, log: Path) -> subprocess.Popen[bytes]:
    """The schedule's work at `now`, in a process of its own (the project's command)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_exports", f"--now={now}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def kill_inside_the_commit(worker: subprocess.Popen[bytes], held: HoldingRelay, log: Path) -> None:
    """SIGKILL once the relay holds the worker's write: no handler of ours runs after it."""
    try:
        while not held.held.wait(0.2):
            assert worker.poll() is None, f"the worker ended before its commit: {log.read_text()}"
    finally:
        if worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
        worker.wait()


def auction_ids(table: Any) -> list[int]:
    return sorted(table.scan().to_arrow()["auction_id_64"].to_pylist())


@pytest.mark.parametrize(
    "held_write",
    [
        "metadata/v3.metadata.json",  # the new metadata file
        "metadata/version-hint.text",  # after the metadata file, with the row updated
    ],
)
def test_a_worker_killed_mid_commit_leaves_the_previous_snapshot_and_its_retry_adds_rows_once(
    moto_url: str, tmp_path: Path, held_write: str, scratch_database: str
) -> None:
    env = process_env(scratch_database, moto_url)
    bucket = new_bucket(moto_url)
    sent = run_probe([PROBE, "setup", bucket], env)
    before = run_probe([PROBE, "state"], env)
    assert before["metadata_location"] == f"s3://{bucket}/{TABLE}/metadata/v2.metadata.json"
    first = static_table(moto_url, before["metadata_location"]).current_snapshot()
    assert first is not None

    log = tmp_path / "worker.log"
    holding = HoldingRelay(moto_url, f"/{TABLE}/{held_write}")
    with holding.serve() as relay_url:
        worker = run_exports({**env, "AWS_ENDPOINT_URL_S3": relay_url}, SECOND_HOUR_DUE, log)
        kill_inside_the_commit(worker, holding, log)
    assert worker.returncode == -signal.SIGKILL

    killed = run_probe([PROBE, "state"], env)
    files = objects(moto_url, bucket)
    # The attempt died inside its commit: its data file was uploaded, its manifests written …
    attempt_files = [key for key in files if key.startswith(SECOND_HOUR)]
    assert len(attempt_files) == 1
    assert held_write.endswith("hint.text") == (f"{TABLE}/metadata/v3.metadata.json" in files)
    # … and the previous snapshot is current: for our catalog and for version-hint.text.
    assert killed["metadata_location"] == before["metadata_location"]
    assert files[f"{TABLE}/metadata/version-hint.text"] == b"2"
    table = static_table(moto_url, killed["metadata_location"])
    current = table.current_snapshot()
    assert current is not None and current.snapshot_id == first.snapshot_id
    assert auction_ids(table) == sorted(sent["first"])
    assert [run[1:] for run in killed["runs"]] == [["succeeded", 1], ["running", 1]]

    retry = run_exports(env, AFTER_THE_LEASE, tmp_path / "retry.log")
    assert retry.wait() == 0, (tmp_path / "retry.log").read_text()
    after = run_probe([PROBE, "state"], env)
    assert [run[1:] for run in after["runs"]] == [["succeeded", 1], ["succeeded", 2]]
    assert after["metadata_location"] == f"s3://{bucket}/{TABLE}/metadata/v3.metadata.json"
    assert objects(moto_url, bucket)[f"{TABLE}/metadata/version-hint.text"] == b"3"
    table = static_table(moto_url, after["metadata_location"])
    assert auction_ids(table) == sorted(sent["first"] + sent["second"])
    _, second = table.snapshots()
    assert second.parent_snapshot_id == first.snapshot_id
    assert second.summary is not None
    assert (second.summary["added-records"], second.summary["added-data-files"]) == ("200", "1")
    # The killed attempt's file is in the bucket but in no snapshot (maintenance removes it).
    listed = table.inspect.files()["file_path"].to_pylist()
    assert not [path for path in listed if path.endswith(tuple(attempt_files))]
