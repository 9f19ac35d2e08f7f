"""The expiry of ingestion marks against writers in flight, on PostgreSQL with two real
connections (`SELECT … FOR UPDATE SKIP LOCKED` exists only there), in a scratch database of its
own, as test_partitions does (the suite may run on SQLite): a window waits while a writer's mark
is live, closes once it expired, and the writer's rows, committed after the close, go out with
the next window; a mark whose writer is committing is skipped, not waited on, and holds its
window until the commit. The race is ordered by events, never by sleeping (mark_race_probe)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.probes import run_probe
from tests.support.scratch_databases import scratch_postgres

pytestmark = pytest.mark.xdist_group("mark_race")


@pytest.fixture(scope="module")
def found() -> Iterator[dict[str, Any]]:
    with scratch_postgres("mark_race") as url:
        yield run_probe(["tests.feeds.mark_race_probe"], {**os.environ, "DATABASE_URL": url})


def test_a_window_waits_while_a_writers_mark_is_live_and_younger_than_the_bound(
    found: dict[str, Any],
) -> None:
    assert found["held_while_live"] == [True, True], found


def test_a_stalled_writers_mark_expires_and_the_window_closes_without_its_rows(
    found: dict[str, Any],
) -> None:
    assert found["closed_once_expired"] is True
    assert found["first_window_at_close"] == found["expected"]["on_time"]


def test_rows_committed_after_the_close_go_out_with_the_next_window_none_lost_none_twice(
    found: dict[str, Any],
) -> None:
    expected = found["expected"]
    assert found["stalled_stored"] == len(expected["stalled"])
    assert found["first_window_after"] == expected["on_time"]  # the closed window unchanged
    assert found["second_window"] == sorted(expected["stalled"] + expected["committing"])
    assert found["marks_left"] == 0


def test_a_mark_whose_writer_is_committing_is_skipped_not_reaped_and_holds_its_window(
    found: dict[str, Any],
) -> None:
    assert found["locked_mark_holds_the_window"] is True
    assert found["locked_mark_kept"] == 1
    assert found["closed_after_commit"] is True
