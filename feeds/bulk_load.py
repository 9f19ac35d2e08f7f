"""`generate_events` on PostgreSQL: fixed shards of generated COPY text, loaded in parallel.

One process generates faster than one PostgreSQL backend parses (32 typed columns and their
indexes), so shards go to a pool of processes, each with its own connection and backend. The
shards and their seeds do not depend on the pool size: the same seed gives the same events on
any machine.
"""

from __future__ import annotations

import multiprocessing
import os
from datetime import datetime

from django.db import connections

from .bulk import BulkGenerator
from .store import copy_events

SHARD_ROWS = 250_000


def _shard_seed(seed: int | None, shard: int) -> int | None:
    return None if seed is None else seed * 1_000_003 + shard


Shard = tuple[str, int, int, datetime, datetime, int | None, int]


def _load(args: Shard) -> int:
    feed, tenant_id, count, start, end, seed, shard = args
    generator = BulkGenerator(feed, _shard_seed(seed, shard))
    return copy_events(feed, generator.copy_chunks(tenant_id, count, start, end))


def _load_in_worker(args: Shard) -> int:
    try:
        return _load(args)
    finally:
        connections.close_all()


def load(
    feed: str, tenant_id: int, count: int, start: datetime, end: datetime, seed: int | None
) -> int:
    """Generate and store `count` events; each shard is its own transaction."""
    shards = [
        (feed, tenant_id, min(SHARD_ROWS, count - first), start, end, seed, index)
        for index, first in enumerate(range(0, count, SHARD_ROWS))
    ]
    workers = min(len(shards), os.cpu_count() or 1)
    if workers <= 1:
        return sum(_load(shard) for shard in shards)
    connections.close_all()  # a forked child must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.imap(_load_in_worker, shards))
