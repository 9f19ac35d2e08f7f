"""How a process of the application holds its memory with glibc's allocator (issue 20).

At most two malloc arenas per process, so memory that threads free is reused: glibc gives each
new thread an arena of its own, up to eight per core, and keeps what is freed in it for that
arena. Every part an export uploads runs in fresh boto3 transfer threads, which read their
chunks into new arenas: measured on a 10 M-row Avro hour (ten parts), the worker grew from ~230
to 431 MB, one step per part, and stayed at 260-290 MB with two arenas at the same speed. The
same as MALLOC_ARENA_MAX=2, applied in code so that every process of the application (web,
worker, beat, commands, benchmarks) has it without a deployment setting.

Memory freed between two parts goes back to the system (`give_back`): neither glibc nor
PyArrow's pool (mimalloc) returns it by itself, so each part's writer and upload came on top of
what the last one left, and ten parts peaked ~35 MB above one (264 vs 228 MB). Given back after
each part is written and after it is uploaded, a worker stays at the same size part after part
(docs/feeds.md), for a few milliseconds per part of ~90 MB. A C library without mallopt or
malloc_trim (not glibc) is left as it is.

PyArrow's pool (mimalloc 3) is tuned before PyArrow loads, since mimalloc reads its options once,
from the environment, when the library is loaded (`tune_arrow_pool`, called first thing in the
`exporthub` package, which every process imports before anything loads PyArrow). By default it
backs its arenas with transparent huge pages, where touching a few bytes makes 2 MiB resident,
and keeps freed pages for a second before returning them, so an export writing a row group
every fraction of a second held several row groups' worth of freed pages (issues 35 and 36,
docs/feeds.md "Memory of the Parquet writers").
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2
# mimalloc's options as environment variables; an operator's own values win.
ARROW_POOL = {
    "MIMALLOC_ALLOW_THP": "0",
    "MIMALLOC_PURGE_DELAY": "50",  # ms before freed pages go back (mimalloc's default: 1000)
}


def _libc() -> Any:
    """The C library's functions as this process already has them (no search on disk)."""
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


LIBC = _libc()


def tune_arrow_pool() -> None:
    """Set PyArrow's pool options, unless the environment already has them."""
    for name, value in ARROW_POOL.items():
        os.environ.setdefault(name, value)


def cap_arenas(arenas: int = ARENAS) -> bool:
    """Whether the C library took the cap (glibc's mallopt returns 1 on success)."""
    mallopt = getattr(LIBC, "mallopt", None)
    return bool(mallopt is not None and mallopt(M_ARENA_MAX, arenas) == 1)


def give_back() -> None:
    """Return the pages of freed memory to the system: PyArrow's pool first, whose freed
    pages go back through its own allocator, then every glibc arena (malloc_trim releases the
    free pages inside a heap too, not only at its top)."""
    import pyarrow as pa  # here: a process that never exports (beat) need not load it

    pa.default_memory_pool().release_unused()
    trim = getattr(LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


_pause_lock = threading.Lock()
_pauses = 0  # batches in the collector's pause, of every thread: the collector is per process
_resume = False  # whether the first of them found it running


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """Python's cycle collector paused for a short burst of allocation, e.g. an ingestion batch
    decoded into tens of thousands of row tuples, none of them in a cycle. Each few hundred new
    tuples would start a collection that walks every object the process holds (Django's too):
    measured, a quarter of the time of decoding a 10 000-event batch. Reference counting still
    frees everything as usual; a cycle made meanwhile is found at the next collection."""
    global _pauses, _resume
    # Counted under a lock: two threads' batches overlapping must not leave it paused for good.
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()  # a caller that had paused it re-enables it itself
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()
