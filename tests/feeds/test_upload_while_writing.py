"""A raw window's file is uploaded while it is written (issue 35): its first part reaches the
bucket before the writer's last byte; a writer failing mid-file leaves no object on any cloud
(S3's multipart upload aborted); a part the bucket refuses fails the run, which leaves nothing
behind and writes, on its retry, exactly the bytes the writer makes of the window."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, cast

import pytest

from exporthub.tenancy.models import Tenant
from feeds.formats import PartResult, writer_class
from feeds.formats.base import DigestStream
from feeds.models import ExportRun
from feeds.runs import clock, ledger, upload
from feeds.runs.progress import RowCounter
from feeds.runs.reading import write_window
from feeds.runs.schedule import schedule
from integrations.destinations import REGISTRY
from integrations.destinations.base import DestinationError
from tests.integrations.destinations.s3.buckets import new_bucket, objects, s3
from tests.integrations.destinations.s3.relay import PartRelay, part_relay
from tests.support.clouds import live_destination
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 22, 10, tzinfo=UTC)
MiB = 1024 * 1024
KEY = "exports/clicks/2026/11/22/2026-11-22-10-00.csv.gz"
# Enough clicks for a CSV.gz of two S3 parts (5 MiB each): the first goes up mid-window.
WINDOW_ROWS = 80_000


@pytest.fixture
def relayed_s3(s3_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PartRelay]:
    """The S3 stand-in, reached by the exports through the part relay."""
    with part_relay(s3_env) as relayed:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", relayed.url)
        yield relayed


def _written(out: DigestStream) -> PartResult:
    return PartResult(rows=0, bytes=out.size, md5=out.md5)


def _pending_uploads(s3_env: str, bucket: str) -> list[str]:
    return [u["Key"] for u in s3(s3_env).list_multipart_uploads(Bucket=bucket).get("Uploads", [])]


def test_the_first_part_reaches_the_bucket_before_the_file_is_written_to_its_end(
    s3_env: str, relayed_s3: PartRelay, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    conn = active(tenant, "s3", "clicks", T0, bucket=bucket).connect()
    first, rest = os.urandom(6 * MiB), os.urandom(MiB)
    with upload.while_writing(conn, KEY, "application/gzip") as spool:
        out = DigestStream(cast(IO[bytes], spool))
        out.write(first)
        # The writer goes on only once the bucket holds part 1: no upload waits for the end.
        assert relayed_s3.passed[1].wait(timeout=60), "part 1 never went up while writing"
        out.write(rest)
        spool.end(_written(out))
    assert objects(s3_env, bucket) == {KEY: first + rest}
    assert _pending_uploads(s3_env, bucket) == []


def test_an_upload_that_outlived_its_run_lease_never_completes_the_object(
    s3_env: str, relayed_s3: PartRelay, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    conn = active(tenant, "s3", "clicks", T0, bucket=bucket).connect()
    now = T0 + timedelta(minutes=16)
    with clock.simulated(now):
        schedule(now)
        run = ledger.claim(ExportRun.objects.get().pk)
    assert run is not None
    first, rest = os.urandom(6 * MiB), os.urandom(MiB)
    with (
        clock.simulated(now),
        pytest.raises(ledger.LeaseLost),
        upload.while_writing(
            conn, KEY, "application/gzip", keep_alive=lambda: ledger.extend_lease(run), every=60
        ) as spool,
    ):
        out = DigestStream(cast(IO[bytes], spool))
        out.write(first)
        assert relayed_s3.passed[1].wait(timeout=60), "part 1 never went up while writing"
        # The upload is slow: the run's lease ends and another worker claims the run.
        with clock.simulated(now + ledger.lease() * 2):
            assert ledger.claim(run.pk) is not None
        out.write(rest)
        spool.end(_written(out))
    # The other worker writes the window: this one completed nothing under its key.
    assert objects(s3_env, bucket) == {}
    assert _pending_uploads(s3_env, bucket) == []


def test_a_file_whose_writer_counted_other_bytes_never_completes(
    s3_env: str, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    conn = active(tenant, "s3", "clicks", T0, bucket=bucket).connect()
    with (
        pytest.raises(DestinationError) as raised,
        upload.while_writing(conn, KEY, "application/gzip") as spool,
    ):
        out = DigestStream(cast(IO[bytes], spool))
        out.write(os.urandom(6 * MiB))
        spool.end(PartResult(rows=0, bytes=out.size + 1, md5=out.md5))
    assert raised.value.code == "ShortUpload" and not raised.value.permanent
    assert objects(s3_env, bucket) == {}
    assert _pending_uploads(s3_env, bucket) == []


class DatabaseWentAway(Exception):
    """What a COPY raises when its connection ends mid-window."""


@pytest.mark.parametrize("destination", list(REGISTRY))
def test_a_writer_failing_mid_file_leaves_no_object_that_looks_complete(
    destination: str, tenant: Tenant, request: pytest.FixtureRequest
) -> None:
    relayed = request.getfixturevalue("relayed_s3") if destination == "s3" else None
    fields, read_back = live_destination(destination, request)
    conn = active(tenant, destination, "clicks", T0, **fields).connect()
    with (
        pytest.raises(DatabaseWentAway),
        upload.while_writing(conn, KEY, "application/gzip") as spool,
    ):
        out = DigestStream(cast(IO[bytes], spool))
        for _ in range(17):  # past two parts (S3), chunks (GCS) and blocks (Azure)
            out.write(os.urandom(MiB))
        # Something is staged in the bucket before the writer fails: S3 holds part 1; GCS and
        # Azure read a second chunk or block only once the first is uploaded (one at a time).
        if relayed is not None:
            assert relayed.passed[1].wait(timeout=60), "part 1 never went up"
        else:
            assert spool.wait_read(16 * MiB, timeout=60), "no chunk went up"
        raise DatabaseWentAway("the connection ended mid-window")
    assert KEY not in read_back()
    if destination == "s3":  # the multipart upload aborted, not left to be billed
        assert _pending_uploads(os.environ["AWS_ENDPOINT_URL_S3"], fields["bucket"]) == []


def _windows_bytes(tenant: Tenant) -> bytes:
    """The window's file as the writer makes it into a plain stream, not uploaded."""
    stream = io.BytesIO()
    writer = writer_class("csv")("clicks", stream, "GZIP")
    window_end = T0 + timedelta(minutes=15)
    write_window(writer, "clicks", tenant.pk, T0, window_end, RowCounter(0), filters=[])
    writer.close()
    return stream.getvalue()


def test_a_part_refused_mid_window_fails_the_run_and_its_retry_writes_the_same_bytes(
    s3_env: str, relayed_s3: PartRelay, tenant: Tenant
) -> None:
    bucket = new_bucket(s3_env)
    active(tenant, "s3", "clicks", T0, bucket=bucket)
    events(tenant, "clicks", WINDOW_ROWS, T0, T0 + timedelta(minutes=15))
    relayed_s3.refuse = 1
    run_exports("2026-11-22T10:16:00Z")
    run = ExportRun.objects.get()
    assert (run.status, run.error_code) == ("failed", "NoSuchUpload"), run.error_message
    assert run.next_attempt_at and relayed_s3.refused
    assert objects(s3_env, bucket) == {}
    assert _pending_uploads(s3_env, bucket) == []
    relayed_s3.refuse = 0
    ExportRun.objects.filter(pk=run.pk).update(next_attempt_at=None)
    run_exports("2026-11-22T10:17:00Z")
    run.refresh_from_db()
    assert (run.status, run.rows, run.attempts) == ("succeeded", WINDOW_ROWS, 2)
    written = objects(s3_env, bucket)[KEY]
    assert len(written) > 5 * MiB, "one part only: nothing went up mid-window"
    assert written == _windows_bytes(tenant)
    assert run.files == [
        {"name": KEY.rsplit("/", 1)[1], "bytes": len(written),
         "md5": hashlib.md5(written).hexdigest()}
    ]  # fmt: skip
