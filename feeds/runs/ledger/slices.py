"""A sliced hour's slices in the ledger: created for an attempt, claimed with a conditional
update (every claim counts, so a worker that lost its slice is fenced off), their parts, rows
and end recorded while the holder still owns them, and handed out again by the tick.

The worker that records the last slice done, deciding under the run's row lock, publishes the
hour; while any slice of the attempt is unfinished, the run's attempt is alive whatever the
run's own lease says (attempts.claimable, attempts.live_attempts).
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum

from integrations.models import State

from ...models import ExportRun, ExportSlice
from .. import clock
from . import contention
from .attempts import (
    allot_part,
    in_attempt,
    lease,
    lock_attempt,
    owned,
    renew_attempt,
    report_hour_rows,
    reset_parts,
)

Status = ExportRun.Status


class SliceLost(Exception):
    """Another worker took this slice over (its lease ran out); the hour's attempt goes on."""


def create(run: ExportRun, bounds: list[datetime], began_at: datetime) -> list[int]:
    """The attempt's slices between consecutive `bounds`, replacing an earlier attempt's; their
    ids in order."""
    now = clock.now()
    with transaction.atomic():
        reset_parts(run)
        ExportSlice.objects.filter(run=run).exclude(attempt=run.attempts).delete()
        created = ExportSlice.objects.bulk_create(
            [
                ExportSlice(run=run, attempt=run.attempts, number=number, start=start, end=end,
                            began_at=began_at, enqueued_at=now)
                for number, (start, end) in enumerate(pairwise(bounds))
            ]
        )  # fmt: skip
    if any(piece.pk is None for piece in created):  # backends that return no ids
        return list(_of_attempt(run.pk, run.attempts).values_list("pk", flat=True))
    return [piece.pk for piece in created]


def _of_attempt(run_id: int, attempt: int) -> QuerySet[ExportSlice]:
    return ExportSlice.objects.filter(run_id=run_id, attempt=attempt)


def _claimable(now: datetime) -> Q:
    """Waiting slices, and running ones whose worker went silent, of a run still in their
    attempt.

    The run is asked with EXISTS, not a join: a join makes Django's UPDATE choose the slice by
    `id IN (subquery)`, and PostgreSQL, rechecking a row another claim just locked and changed,
    rechecks only the conditions on the row itself: both claims would win."""
    waiting = Q(status=Status.PENDING) | Q(status=Status.RUNNING, lease_expires_at__lt=now)
    in_attempt = ExportRun.objects.filter(
        pk=OuterRef("run_id"), status=Status.RUNNING, attempts=OuterRef("attempt")
    )
    return Q(Exists(in_attempt)) & waiting


def claim(slice_id: int) -> ExportSlice | None:
    """Own a slice for one lease, or None when another worker has it or its attempt is over."""
    now = clock.now()

    def take() -> ExportSlice | None:
        won = ExportSlice.objects.filter(_claimable(now), pk=slice_id).update(
            status=Status.RUNNING,
            lease_expires_at=now + lease(),
            claims=F("claims") + 1,
            enqueued_at=None,
        )
        return ExportSlice.objects.get(pk=slice_id) if won else None

    return contention.claimed(take)


def claim_next(run: ExportRun) -> ExportSlice | None:
    """The first slice of the run's attempt this worker can own, if any is left."""
    waiting = _of_attempt(run.pk, run.attempts).filter(_claimable(clock.now())).order_by("number")
    for slice_id in waiting.values_list("pk", flat=True):
        if (piece := claim(slice_id)) is not None:
            return piece
    return None


def _owned(piece: ExportSlice) -> QuerySet[ExportSlice]:
    return ExportSlice.objects.filter(
        pk=piece.pk, status=Status.RUNNING, claims=piece.claims, lease_expires_at__gte=clock.now()
    )


def _run_in_attempt(piece: ExportSlice) -> QuerySet[ExportRun]:
    return in_attempt(piece.run_id, piece.attempt)


def next_part(piece: ExportSlice) -> int:
    """A part number no other part of the hour has, and a renewed lease; LeaseLost when the
    hour's attempt is over, SliceLost when only this slice was taken over."""
    now = clock.now()
    with transaction.atomic():
        part = allot_part(piece.run_id, piece.attempt)
        if not _owned(piece).update(lease_expires_at=now + lease()):
            raise SliceLost(f"slice {piece.pk} was taken over")
    return part


def record_part(piece: ExportSlice, file: dict[str, Any]) -> None:
    """A part about to be uploaded: a worker taking the slice over removes it, whether or not
    the upload finished, so no file of a dead worker stays beside the hour's parts."""
    piece.files.append(file)
    piece.bytes += file["bytes"]
    if not _owned(piece).update(files=piece.files, bytes=piece.bytes):
        raise SliceLost(f"slice {piece.pk} was taken over")


def holds(piece: ExportSlice) -> bool:
    """Whether this worker still holds the slice, in its attempt, within its lease: asked after
    each part's upload, since a worker stalled inside one may have lost the slice meanwhile."""
    return _owned(piece).exists() and _run_in_attempt(piece).exists()


def report_slice_rows(piece: ExportSlice, rows: int) -> None:
    """Progress: the slice's rows, and the hour's as the sum over its slices, for the pages."""
    ExportSlice.objects.filter(pk=piece.pk, status=Status.RUNNING).update(rows=rows)
    total = _of_attempt(piece.run_id, piece.attempt).aggregate(rows=Sum("rows"))["rows"] or 0
    report_hour_rows(piece.run_id, piece.attempt, total)


def restart(piece: ExportSlice) -> list[dict[str, Any]]:
    """Taken over: the files an earlier holder uploaded (in no manifest) are this worker's to
    remove, and the slice starts again from nothing."""
    left = list(piece.files)
    if not left:
        return []
    piece.files, piece.bytes, piece.rows = [], 0, 0
    if not _owned(piece).update(files=[], bytes=0, rows=0):
        raise SliceLost(f"slice {piece.pk} was taken over")
    return left


def finish(piece: ExportSlice, rows: int) -> bool:
    """Record the slice done; True when it was its attempt's last, so this worker publishes.

    The decision is made under the run's row lock: two slices finishing at once are recorded
    one after the other, and exactly one of them sees no slice left. The publisher gets a fresh
    run lease for the manifest (attempts.extend_lease fences it as any run's)."""
    with transaction.atomic():
        lock_attempt(piece.run_id, piece.attempt)
        done = _owned(piece).update(status=Status.SUCCEEDED, rows=rows, lease_expires_at=None)
        if not done:
            raise SliceLost(f"slice {piece.pk} was taken over")
        if _of_attempt(piece.run_id, piece.attempt).exclude(status=Status.SUCCEEDED).exists():
            return False
        renew_attempt(piece.run_id, piece.attempt)
    return True


def fail(piece: ExportSlice) -> None:
    """The slice's export failed: the hour fails with it (the caller fails the run)."""
    _owned(piece).update(status=Status.FAILED, lease_expires_at=None)


def goes_on(run: ExportRun) -> bool:
    """The run's attempt can still be finished by the workers on its slices: it is the run's
    current one and none of its slices failed (a failed slice never finishes)."""
    failed = _of_attempt(run.pk, run.attempts).filter(status=Status.FAILED)
    return owned(run).exists() and not failed.exists()


def files_of(run: ExportRun) -> tuple[list[dict[str, Any]], int, int]:
    """Every part of the attempt's slices in the hour's order, with rows and bytes in all."""
    files: list[dict[str, Any]] = []
    rows = size = 0
    for piece in _of_attempt(run.pk, run.attempts).order_by("number"):
        files += piece.files
        rows, size = rows + piece.rows, size + piece.bytes
    return files, rows, size


def ready(now: datetime) -> list[int]:
    """For the tick: slices no worker is on (a lost message, a worker that died), not sent in
    the last lease, of active integrations."""
    waiting = ExportSlice.objects.filter(
        _claimable(now),
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - lease()),
        run__integration__state=State.ACTIVE,
    )
    ids = list(waiting.order_by("run_id", "number").values_list("pk", flat=True))
    ExportSlice.objects.filter(pk__in=ids).update(enqueued_at=now)
    return ids


def unsent(tenant_id: int, now: datetime) -> QuerySet[ExportSlice]:
    """The tenant's slices no worker is on and no message carries (they stepped aside), of
    active integrations, in their hours' order."""
    return ExportSlice.objects.filter(
        _claimable(now),
        enqueued_at__isnull=True,
        run__integration__tenant_id=tenant_id,
        run__integration__state=State.ACTIVE,
    ).order_by("run_id", "number")


def send_if_unsent(slice_id: int, now: datetime) -> bool:
    """Marks a slice that is in no queue as sent; False when another sender marked it first."""
    return bool(
        ExportSlice.objects.filter(pk=slice_id, enqueued_at__isnull=True).update(enqueued_at=now)
    )


def unqueue(slice_id: int) -> None:
    """Takes a slice off the queue: its hour's own worker takes it, or the tick sends it again."""
    ExportSlice.objects.filter(pk=slice_id).update(enqueued_at=None)
