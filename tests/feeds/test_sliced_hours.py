"""Large log-level hours in slices (issue 19): any worker takes a slice, part numbers are unique
across them, the one finishing last publishes the hour once, a dead worker's slice is taken
over, a failed slice fails the hour. Against the S3 stand-in; the real-worker run with a
SIGKILL is reliability's `parallel_hour` (tests/reliability)."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun, ExportSlice
from feeds.runs import clock, ledger, manifests, upload
from feeds.runs.export import execute, execute_slice
from feeds.runs.hourly import slices
from feeds.schema.columns import COLUMNS
from integrations.destinations.base import DestinationError
from integrations.models import Integration
from tests.integrations.destinations.s3.buckets import new_bucket, objects
from tests.support.exports import (
    active,
    events,
    refuse_final_manifests,
    run_exports,
    valid_manifest,
)

from .races import claimed_twice
from .readers import read_avro

pytestmark = pytest.mark.django_db
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)
AFTER = HOUR + timedelta(hours=1, minutes=11)  # when the schedule exports the hour
AVRO = {"format": "avro", "compression": "DEFLATE"}
NAMES = [c.name for c in COLUMNS["standard_feed"]]


class Killed(BaseException):
    """A worker's process ending mid-part (SIGKILL): no handler of ours runs."""


@pytest.fixture
def small_slices(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.EXPORT_SLICE_ROWS = 1500
    # Parts close after a batch of 1 000 rows past this size, counting the Avro blocks written
    # so far: with small blocks, two parts per slice.
    settings.EXPORT_PART_BYTES = 5_000
    monkeypatch.setattr("feeds.formats.avro.BLOCK_BYTES", 16 * 1024)
    monkeypatch.setattr("feeds.formats.binary_copy.BATCH_BYTES", 64 * 1024)  # several batches


def _hour(s3_env: str, tenant: Tenant, rows: int) -> tuple[Integration, str, list[tuple[Any, ...]]]:
    bucket = new_bucket(s3_env)
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    sent = events(tenant, "standard_feed", rows, HOUR, HOUR + timedelta(hours=1))
    return integration, bucket, sent


def _run(integration: Integration) -> ExportRun:
    return ExportRun.objects.get(integration=integration, window_start=HOUR)


def _published(files: dict[str, bytes]) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The hour's one final manifest and every row of the parts it lists, checked by MD5."""
    (body,) = [v for k, v in files.items() if k.startswith("manifests/") and k.endswith(".json")]
    manifest = valid_manifest(body)
    rows: list[tuple[Any, ...]] = []
    for entry in manifest["files"]:
        data = files[manifest["path"].lstrip("/") + "/" + entry["name"]]
        assert entry["checksum"] == hashlib.md5(data).hexdigest()
        assert entry["name"] == f"998-{entry['name'].split('-')[1]}-{entry['checksum']}-998"
        rows += [tuple(r[n] for n in NAMES) for r in read_avro(data)]
    return manifest, rows


def _left_behind(files: dict[str, bytes]) -> list[str]:
    return [k for k in files if k.endswith(("-processing", "-failed"))]


def _planned(tenant: Tenant, settings: Any, bucket: str) -> tuple[Integration, list[int]]:
    """An hour of 200 rows claimed at AFTER and split into two slices of 100, none claimed."""
    settings.EXPORT_SLICE_ROWS = 100
    integration = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, **AVRO)
    events(tenant, "standard_feed", 200, HOUR, HOUR + timedelta(hours=1))
    run = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(hours=1)
    )
    with clock.simulated(AFTER):
        claimed = ledger.claim(run.pk)
        assert claimed is not None
        ledger.record_attempt(claimed, AFTER, AFTER)
        return integration, slices.plan(claimed, integration, AFTER, AFTER)


def test_a_large_hour_is_exported_in_slices_every_row_once_one_manifest(
    s3_env: str, tenant: Tenant, small_slices: None
) -> None:
    integration, bucket, sent = _hour(s3_env, tenant, 4500)
    run_exports(AFTER.isoformat())
    run = _run(integration)
    assert run.status == "succeeded" and run.rows == 4500 and run.attempts == 1
    pieces = list(ExportSlice.objects.filter(run=run))
    assert len(pieces) == 3 and all(p.status == "succeeded" for p in pieces)
    assert sum(p.rows for p in pieces) == 4500 and max(p.rows for p in pieces) <= 1600
    files = objects(s3_env, bucket)
    manifest, rows = _published(files)
    assert sorted(rows) == sorted(sent)  # every row exactly once across the slices' parts
    numbers = [int(f["name"].split("-")[1]) for f in manifest["files"]]
    assert len(numbers) > len(pieces) and sorted(numbers) == list(range(len(numbers)))
    assert [f["name"] for f in manifest["files"]] == [f["name"] for f in run.files]
    assert not _left_behind(files)


def test_an_hour_at_or_below_the_threshold_is_not_split(
    s3_env: str, tenant: Tenant, small_slices: None
) -> None:
    integration, bucket, sent = _hour(s3_env, tenant, 1500)
    run_exports(AFTER.isoformat())
    assert _run(integration).status == "succeeded"
    assert not ExportSlice.objects.exists()
    assert sorted(_published(objects(s3_env, bucket))[1]) == sorted(sent)


def test_the_worker_finishing_the_last_slice_publishes_whoever_began_the_hour(
    s3_env: str, tenant: Tenant, small_slices: None
) -> None:
    """The worker that claimed the run hands the slices out; another worker takes them as soon
    as they are out and finishes them all, so it, not the first, publishes the hour."""
    integration, bucket, sent = _hour(s3_env, tenant, 3000)
    run = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(hours=1)
    )
    by_other: list[ExportRun | None] = []
    with clock.simulated(AFTER):
        first = execute(run.pk, hand_out=lambda ids: by_other.append(execute_slice(ids[0])))
    assert by_other[0] is not None and by_other[0].status == "succeeded"
    assert first is not None and first.status == "succeeded" and first.rows == 3000
    assert sorted(_published(objects(s3_env, bucket))[1]) == sorted(sent)


def test_two_slices_finishing_the_ledger_lets_exactly_the_last_one_publish(
    tenant: Tenant, settings: Any
) -> None:
    _, ids = _planned(tenant, settings, "exports-ledger")
    with clock.simulated(AFTER):
        a, b = (slices.claim(i) for i in ids)
        assert a is not None and b is not None and slices.claim(ids[0]) is None  # owned
        assert slices.next_part(a) == 0 and slices.next_part(b) == 1 and slices.next_part(a) == 2
        assert slices.finish(b, 100) is False
        assert slices.finish(a, 100) is True
        with pytest.raises(slices.SliceLost):
            slices.finish(a, 100)  # recorded once; a second word from it changes nothing


def test_a_slice_whose_worker_died_mid_part_is_taken_over_and_the_hour_published_once(
    s3_env: str, tenant: Tenant, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration, bucket, sent = _hour(s3_env, tenant, 3000)
    uploaded = upload.upload_part

    def dies_after_its_first_part(*args: Any) -> None:
        uploaded(*args)
        raise Killed

    monkeypatch.setattr(upload, "upload_part", dies_after_its_first_part)
    with pytest.raises(Killed):
        run_exports(AFTER.isoformat())
    monkeypatch.setattr(upload, "upload_part", uploaded)
    run = _run(integration)
    dead = ExportSlice.objects.get(run=run, status="running")
    (orphan,) = dead.files
    files = objects(s3_env, bucket)
    assert any(k.endswith(orphan["name"]) for k in files)
    assert len([k for k in files if k.endswith(".json-processing")]) == 1
    # Within the slice's lease: the hour's attempt is alive, nothing takes it over, and another
    # hour's run leaves its -processing manifest alone.
    soon = AFTER + timedelta(minutes=5)
    with clock.simulated(soon):
        assert ledger.claim(run.pk) is None and slices.ready(soon) == []
        assert (run.window_start, run.processed_on) in ledger.live_attempts(integration.pk)
    # Past it (runs and slices share EXPORT_LEASE_SECONDS, 15 minutes): the tick hands the
    # slice out and a worker takes it over, within the same attempt.
    later = AFTER + timedelta(minutes=17)
    with clock.simulated(later):
        assert ledger.claim(run.pk) is None  # the run itself is not claimed again
    run_exports(later.isoformat())
    run.refresh_from_db()
    dead.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 1 and run.rows == 3000
    assert dead.status == "succeeded" and dead.claims == 2
    files = objects(s3_env, bucket)
    manifest, rows = _published(files)
    assert sorted(rows) == sorted(sent)
    assert not any(k.endswith(orphan["name"]) for k in files)  # the dead worker's part is gone
    numbers = [f["name"].split("-")[1] for f in manifest["files"]]
    assert len(set(numbers)) == len(numbers) and not _left_behind(files)


def test_a_failed_slice_fails_the_hour_and_the_next_attempt_exports_it_whole(
    s3_env: str, tenant: Tenant, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration, bucket, sent = _hour(s3_env, tenant, 3000)
    recorded, calls = slices.record_part, []

    def throttled_on_the_third_part(piece: ExportSlice, file: dict[str, Any]) -> None:
        calls.append(piece.number)
        if len(calls) == 3:
            raise DestinationError("SlowDown", "Please reduce your request rate.", permanent=False)
        recorded(piece, file)

    monkeypatch.setattr(slices, "record_part", throttled_on_the_third_part)
    run_exports(AFTER.isoformat())
    run = _run(integration)
    assert run.status == "failed" and run.error_code == "SlowDown"
    assert run.next_attempt_at is not None
    files = objects(s3_env, bucket)
    assert not [k for k in files if k.endswith(".json")]
    assert len([k for k in files if k.endswith(".json-failed")]) == 1
    assert ExportSlice.objects.filter(run=run, status="failed").count() == 1
    monkeypatch.setattr(slices, "record_part", recorded)
    run_exports((AFTER + timedelta(minutes=5)).isoformat())
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 2
    assert set(ExportSlice.objects.filter(run=run).values_list("attempt", flat=True)) == {2}
    _, rows = _published(objects(s3_env, bucket))
    assert sorted(rows) == sorted(sent)


@pytest.mark.django_db(transaction=True)  # its connection fails as a worker's would, unwrapped
def test_a_worker_cut_off_from_the_database_mid_slice_leaves_no_failed_beside_the_hour(
    s3_env: str, tenant: Tenant, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database goes away for one worker after its slice's first part: it can record
    neither the slice's failure nor the run's, so the attempt lives on in the ledger and
    another worker finishes it. The worker cut off must not rename the hour's -processing
    manifest -failed: a consumer would find a -failed and a .json of the same processing."""
    integration, bucket, sent = _hour(s3_env, tenant, 3000)
    run = ExportRun.objects.create(
        integration=integration, window_start=HOUR, window_end=HOUR + timedelta(hours=1)
    )
    uploaded, down, sessions = upload.upload_part, threading.Event(), _other_sessions()

    def the_database_goes_away_after_it(*args: Any) -> None:
        uploaded(*args)
        down.set()

    def refused(execute: Any, sql: str, *args: Any) -> Any:
        if down.is_set():
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, *args)

    monkeypatch.setattr(upload, "upload_part", the_database_goes_away_after_it)
    with (
        clock.simulated(AFTER),
        connection.execute_wrapper(refused),
        pytest.raises(OperationalError),
    ):
        execute(run.pk, hand_out=lambda ids: None)
    monkeypatch.setattr(upload, "upload_part", uploaded)
    # The hour's read (its own connection) closed with the error. Other tests' connections
    # may still be there, or be collected meanwhile.
    assert _other_sessions() <= sessions
    files = objects(s3_env, bucket)
    assert not [k for k in files if k.endswith("-failed")]
    assert len([k for k in files if k.endswith(".json-processing")]) == 1
    run_exports((AFTER + timedelta(minutes=17)).isoformat())  # past the slice's lease
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 1 and run.rows == 3000
    files = objects(s3_env, bucket)
    assert sorted(_published(files)[1]) == sorted(sent)
    assert not _left_behind(files)


def test_the_worker_that_finished_the_last_slice_and_cannot_publish_marks_the_hour_failed(
    s3_env: str, tenant: Tenant, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every slice is done and only its last worker could publish: when the final manifest
    cannot be written, nobody else will, so its -processing manifest becomes -failed at once
    and the run is retried as any failed upload."""
    integration, bucket, sent = _hour(s3_env, tenant, 3000)
    written = manifests.put
    refuse_final_manifests(monkeypatch)
    run_exports(AFTER.isoformat())
    run = _run(integration)
    assert run.status == "failed" and run.error_code == "SlowDown" and run.next_attempt_at
    files = objects(s3_env, bucket)
    assert len([k for k in files if k.endswith(".json-failed")]) == 1
    assert not [k for k in files if k.endswith((".json", ".json-processing"))]
    monkeypatch.setattr(manifests, "put", written)
    run_exports((AFTER + timedelta(minutes=5)).isoformat())
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempts == 2
    assert sorted(_published(objects(s3_env, bucket))[1]) == sorted(sent)


def _other_sessions() -> int:
    """Connections to this database besides Django's (PostgreSQL reads an hour on its own)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def test_a_slice_taken_over_while_its_worker_was_stalled_writes_nothing_more(
    tenant: Tenant, settings: Any
) -> None:
    first_id = _planned(tenant, settings, "exports-stalled")[1][0]
    with clock.simulated(AFTER):
        stalled = slices.claim(first_id)
    assert stalled is not None
    with clock.simulated(AFTER + timedelta(minutes=16)):
        assert slices.claim(first_id) is not None  # the lease ran out: taken over
        with pytest.raises(slices.SliceLost):
            slices.next_part(stalled)
        with pytest.raises(slices.SliceLost):
            slices.record_part(stalled, {"name": "x", "bytes": 1, "md5": "0"})
        with pytest.raises(slices.SliceLost):
            slices.finish(stalled, 100)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_the_same_slice_at_the_same_instant_only_one_owns_it(
    tenant: Tenant, settings: Any
) -> None:
    """The second claim meets the first one's lock; once the first commits, the second must find
    the slice taken, never crash (PostgreSQL rechecks only the conditions on the updated row
    itself, so a claim that judged the slice through a join or subquery would win too; SQLite
    refuses at once with 'database table is locked', which the claim must survive)."""
    slice_id = _planned(tenant, settings, "exports-race")[1][0]
    first, second = claimed_twice(lambda: slices.claim(slice_id))
    assert first is not None and second == [None]
    assert ExportSlice.objects.get(pk=slice_id).claims == 1
