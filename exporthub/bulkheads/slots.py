"""Taking and giving back a tenant's place in a work class. A task that finds every place of its
tenant taken does not wait in its worker: it is deferred, so other tenants' work goes on."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from exporthub import queues

from .models import Slot

# A holder killed by its class's hard time limit gives its place back this much later.
LEASE_MARGIN = timedelta(seconds=30)


def take(
    tenant_id: int, work: str, places: int, *, lease: timedelta | None = None, tag: str = ""
) -> str | None:
    """Hold a free one of the tenant's `places` in `work` (a conditional update: one winner per
    place); the token that gives it back, or None when all are held.

    Without `lease` the place is held until the class's hard limit has killed the holder; with
    one, the holder renews it (`renew`, by its own token) while it works. `tag` starts the
    token, to tell whose place it is when reading the table."""
    token = f"{tag}.{uuid.uuid4().hex[:16]}" if tag else uuid.uuid4().hex
    now = timezone.now()
    expires_at = now + (lease or queues.hard_limit(work) + LEASE_MARGIN)
    mine = Slot.objects.filter(tenant_id=tenant_id, work=work)
    if mine.filter(number__lt=places).count() < places:
        # The tenant's first use of the class, or a raised cap: its places are made once.
        rows = [Slot(tenant_id=tenant_id, work=work, number=n) for n in range(places)]
        Slot.objects.bulk_create(rows, ignore_conflicts=True)
    free = Q(holder="") | Q(expires_at__lt=now)
    for number in range(places):
        if mine.filter(free, number=number).update(holder=token, expires_at=expires_at):
            return token
    return None


def free_places(tenant_ids: Iterable[int], work: str, places: int) -> dict[int, int]:
    """How many of each tenant's `places` in `work` no one holds now (a holder past its lease
    holds none)."""
    held = (
        Slot.objects.filter(tenant_id__in=list(tenant_ids), work=work, number__lt=places)
        .exclude(holder="")
        .filter(expires_at__gte=timezone.now())
        .values("tenant_id")
        .annotate(held=Count("pk"))
    )
    taken = {row["tenant_id"]: row["held"] for row in held}
    return {tenant_id: max(places - taken.get(tenant_id, 0), 0) for tenant_id in tenant_ids}


def give_back(token: str) -> None:
    Slot.objects.filter(holder=token).update(holder="", expires_at=None)


def renew(token: str, lease: timedelta) -> None:
    """The place held under `token` is held for `lease` from now. Only the holder's own: a
    sibling on the same work renewing it would keep a dead holder's place alive."""
    Slot.objects.filter(holder=token).update(expires_at=timezone.now() + lease)


@contextmanager
def place(tenant_id: int, work: str, places: int) -> Iterator[bool]:
    """Whether a place was free; held for the block and given back after it, however it ends."""
    token = take(tenant_id, work, places)
    try:
        yield token is not None
    finally:
        if token is not None:
            give_back(token)
