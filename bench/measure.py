"""Timing a case's work and its own peak memory; one JSON record per measurement."""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable
from typing import Any

MB = 1_000_000


def peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM). Not ru_maxrss: Linux carries that over
    exec from the parent, so every case would report at least the orchestrator's size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record(name: str, rows: int, seconds: float, size: int = 0, **extra: Any) -> None:
    print(
        json.dumps(
            {
                "name": name,
                "rows": rows,
                "seconds": round(seconds, 3),
                "rows_per_s": round(rows / seconds) if seconds else None,
                "mb_per_s": round(size / MB / seconds, 1) if seconds and size else None,
                "peak_rss_mb": round(peak_rss_mb(), 1),
                **extra,
            }
        ),
        flush=True,
    )


def reset_peak_rss() -> None:
    """Forget the high-water mark so far (Linux ≥ 4.0), so setup does not count."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    reset_peak_rss()
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began
