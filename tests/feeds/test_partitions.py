"""Day partitions on PostgreSQL, checked in a scratch database of their own (the suite may run on
SQLite): every event table partitioned by migrate, a filled table converted without losing a row,
a window's and an hour's read touching one partition, an hour read in order from the index on the
export's connection, retention dropping whole days, partitions created ahead and on demand."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.probes import run_probe
from tests.support.scratch_databases import scratch_postgres

# Its tests share one probe run in one scratch database: on one worker, the probe run once.
pytestmark = pytest.mark.xdist_group("partitions")


@pytest.fixture(scope="module")
def figures() -> Iterator[dict[str, Any]]:
    with scratch_postgres("partitions") as url:
        yield run_probe(["tests.feeds.partition_probe"], {**os.environ, "DATABASE_URL": url})


def test_migrate_partitions_every_event_table_by_the_time_its_exports_read(
    figures: dict[str, Any],
) -> None:
    assert all(figures["partitioned_after_migrate"].values()), figures
    raw, log_level = "received_at", "event_time"
    assert figures["keys"] == {"clicks": raw, "conversions": raw,
                               "standard_feed": log_level, "segment_feed": log_level}  # fmt: skip


def test_a_filled_table_made_before_partitions_is_converted_without_losing_a_row(
    figures: dict[str, Any],
) -> None:
    found = figures["conversion"]
    assert found["before_partitioned"] is False and found["converted"] == ["feeds_clickevent"]
    assert found["after_partitioned"] is True and found["rows_before"] == 62
    assert found["rows_kept_identical"] is True and found["new_id_after_old_ids"] is True
    # Rows every 7 h from 11-10: before the retention's first day (11-15) 18 of them, after the
    # days created ahead (to 11-25) 5, and the two far ones wait in the default partition.
    assert found["rows_in_default"] == 18 + 5 + 2, found
    assert found["indexes_on_a_day"] == [
        "btree (id, received_at)",
        "btree (tenant_id, received_at)",
    ]
    assert found["leftover_tables"] == []


def test_a_window_and_an_hour_read_one_partition(figures: dict[str, Any]) -> None:
    found = figures["pruning"]
    assert found["raw_window_reads"] == ["feeds_clickevent_p20261122"], found
    assert found["log_level_hour_reads"] == ["feeds_standardfeedevent_p20261121"], found
    assert found["day_partitions"] >= 14 + 3


def test_an_hour_that_is_all_of_its_partition_streams_from_its_first_row(
    figures: dict[str, Any],
) -> None:
    """Planned freely, such an hour is read whole and sorted before its first row; the export's
    connection reads it in order from the index, sorting only rows of the same time."""
    found = figures["streaming"]
    assert "Sort" in found["plain"], found
    assert "Sort" not in found["export"] and "Index Scan" in found["export"], found


def test_retention_drops_whole_days_and_deletes_only_the_default_partitions_rows(
    figures: dict[str, Any],
) -> None:
    found = figures["retention"]
    assert found["days_dropped"] >= 7, found
    assert found["oldest_day_left"] == "2026-11-15"  # it ends after the cutoff, 11-15 12:00
    assert found["rows_deleted_one_by_one"] >= 1  # the ancient row, from the default partition
    assert found["oldest_row_left"].startswith("2026-11-15")


def test_days_are_created_ahead_and_a_late_day_takes_its_rows_from_the_default(
    figures: dict[str, Any],
) -> None:
    found = figures["ahead"]
    assert found["in_default_first"] == 1 and found["created"] > 0
    assert (found["in_default_after"], found["in_its_day_after"]) == (0, 1), found
