"""At most two glibc malloc arenas per process, so memory that threads free is reused.

glibc gives each new thread an arena of its own, up to eight per core, and keeps what is freed
in it for that arena. Every part an export uploads runs in fresh boto3 transfer threads, which
read their 8 MiB chunks into new arenas: measured on a 10 M-row Avro hour (ten parts), the
worker grew from ~230 to 431 MB, one step per part, and stayed flat at 260-290 MB with two arenas
at the same speed (README "Performance"). The same as MALLOC_ARENA_MAX=2, applied in code so
that every process of the application (web, worker, beat, commands, benchmarks) has it
without a deployment setting. A C library without mallopt (not glibc) is left as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def cap_arenas(arenas: int = ARENAS) -> bool:
    """Whether the C library took the cap (glibc's mallopt returns 1 on success)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return False
    mallopt = getattr(libc, "mallopt", None)
    return bool(mallopt is not None and mallopt(M_ARENA_MAX, arenas) == 1)
