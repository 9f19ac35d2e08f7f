"""Issue 20: a worker's memory stays flat over the parts of a large hour because glibc keeps at
most two malloc arenas per process (each part's upload threads used to open new ones; the bench's
10 M-row Avro hour shows it: README "Performance"), and PyArrow's pool gives what it freed back
soon, from small pages (issues 35 and 36)."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from exporthub.allocator import ARROW_POOL, cap_arenas, cycles_uncollected

ROOT = Path(__file__).resolve().parent.parent


def test_the_c_library_takes_the_arena_cap() -> None:
    assert cap_arenas() is True  # glibc, as on Debian and in the Dockerfile's image


def _arrow_pool_options(code: str) -> dict[str, str]:
    """mimalloc's options as a fresh process running `code` has them (it prints them when
    MIMALLOC_VERBOSE is set, as it loads)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    env["MIMALLOC_VERBOSE"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return dict(re.findall(r"option '(\w+)': (-?\d+)", done.stderr))


def test_every_process_has_arrow_return_freed_pages_soon_and_without_huge_pages() -> None:
    # An export held freed row groups for mimalloc's default second, in 2 MiB huge pages:
    # 30-50 MB above what it used (issues 35 and 36).
    options = _arrow_pool_options("import exporthub, pyarrow; pyarrow.allocate_buffer(1)")
    assert options["allow_thp"] == "0"
    assert options["purge_delay"] == ARROW_POOL["MIMALLOC_PURGE_DELAY"] != "1000"


def test_an_operators_own_pool_setting_wins() -> None:
    code = (
        "import os; os.environ['MIMALLOC_PURGE_DELAY'] = '7'; import exporthub, pyarrow;"
        " pyarrow.allocate_buffer(1)"
    )
    assert _arrow_pool_options(code)["purge_delay"] == "7"


def test_cycle_collection_paused_for_a_batch_resumes_even_when_the_batch_fails() -> None:
    assert gc.isenabled()
    with pytest.raises(ValueError), cycles_uncollected():
        assert not gc.isenabled()
        raise ValueError("a bad batch")
    assert gc.isenabled()


def test_cycle_collection_paused_by_a_caller_stays_paused_after_a_batch() -> None:
    gc.disable()
    try:
        with cycles_uncollected():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the caller's pause is the caller's to end
    finally:
        gc.enable()


def test_cycle_collection_resumes_when_two_threads_batches_overlap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A threaded server's batch ending between another's look at the collector and its pause
    left the collector paused for good."""
    inside, leave = threading.Event(), threading.Event()

    def first_batch() -> None:
        with cycles_uncollected():
            inside.set()
            leave.wait()

    first = threading.Thread(target=first_batch)
    look = gc.isenabled

    def look_then_the_first_batch_ends() -> bool:
        answer = look()
        leave.set()
        first.join(timeout=1)  # it ends now, unless it has to wait for this batch's pause
        return answer

    try:
        first.start()
        inside.wait()
        monkeypatch.setattr(gc, "isenabled", look_then_the_first_batch_ends)
        with cycles_uncollected():
            pass
        monkeypatch.undo()
        leave.set()
        first.join()
        assert gc.isenabled()
    finally:
        leave.set()
        gc.enable()
