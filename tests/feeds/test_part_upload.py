"""A part's upload (issue 20): counted rather than hashed again, and what the part left in memory
given back to the system.

The upload does not hash a part again (its writer hashed exactly these bytes, and the name
carries that MD5), so it counts them. An hour of ten parts peaked ~35 MB above an hour of one
(bench: 264 vs 228 MB), because what a part's writer and upload free stays with the C allocator:
the next part's work then came on top of it."""

from __future__ import annotations

import ctypes
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from exporthub.tenancy.models import Tenant
from feeds.formats import PartResult
from feeds.models import ExportRun
from feeds.runs import upload
from integrations.destinations.base import Connection, DestinationError
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active, events, run_exports

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
BLOCK = 64 * 1024  # below glibc's mmap threshold: from the heap, as a writer's arrays are
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


def _connection(s3_env: str, tenant: Tenant) -> Connection:
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=new_bucket(s3_env),
                         format="avro", compression="DEFLATE")  # fmt: skip
    return integration.connect()


def _written(body: bytes) -> PartResult:
    return PartResult(rows=1, bytes=len(body), md5=hashlib.md5(body).hexdigest())


def test_a_part_the_spool_gives_back_short_is_an_error_not_a_file_named_for_other_bytes(
    s3_env: str, tenant: Tenant
) -> None:
    with pytest.raises(DestinationError) as raised:
        upload.upload_part(_connection(s3_env, tenant), "data/part", io.BytesIO(b"01234"),
                          "application/octet-stream", _written(b"0123456789"))  # fmt: skip
    assert raised.value.code == "ShortUpload" and not raised.value.permanent


def resident_anonymous_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no RssAnon in /proc/self/status")


@contextmanager
def freed_heap(size: int) -> Iterator[None]:
    """`size` bytes of the C heap freed as a part's writer leaves them: allocated in blocks,
    touched, and every other block freed, so that no freed block borders another or the top
    of the heap, and glibc cannot hand it back by shrinking the heap on its own."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    blocks = [libc.malloc(BLOCK) for _ in range(2 * size // BLOCK)]
    for block in blocks:
        ctypes.memset(block, 1, BLOCK)
    try:
        for block in blocks[::2]:
            libc.free(block)
        yield
    finally:
        for block in blocks[1::2]:
            libc.free(block)


def test_memory_a_part_left_behind_goes_back_to_the_system_once_the_part_is_uploaded(
    s3_env: str, tenant: Tenant
) -> None:
    conn = _connection(s3_env, tenant)
    with freed_heap(64 * MB):
        held = resident_anonymous_mb()
        upload.upload_part(conn, "data/part", io.BytesIO(b"0123456789"),
                          "application/octet-stream", _written(b"0123456789"))  # fmt: skip
        after = resident_anonymous_mb()
    assert after < held - 40, f"{held:.0f} MB before the upload, {after:.0f} MB after"


def test_memory_an_iceberg_data_file_left_behind_goes_back_to_the_system_once_it_is_uploaded(
    s3_env: str, tenant: Tenant
) -> None:
    from feeds.iceberg import export  # noqa: F401 - pyiceberg loaded before, not counted

    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, format="iceberg",
                         compression="ZSTD", table_path="/lake/standard")  # fmt: skip
    events(tenant, "standard_feed", 200, HOUR, HOUR + timedelta(hours=1))
    with freed_heap(64 * MB):
        held = resident_anonymous_mb()
        run_exports("2026-11-22T11:11:00Z")
        after = resident_anonymous_mb()
    run = ExportRun.objects.get(integration=integration)
    assert run.status == ExportRun.Status.SUCCEEDED and run.rows == 200
    assert after < held - 40, f"{held:.0f} MB before the export, {after:.0f} MB after"
