"""The long runs of `make reliability`, small enough for every CI run: real Celery workers
(Redis broker, the suite's database server), every registered cloud's stand-in behind a fault
proxy, and every bucket read back afterwards."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.probes import run_probe

# The suite's two workers each take one of these halves first (xdist runs groups before single
# tests), so the runs of minutes go side by side and the short tests fill in around them. The
# halves took 318 and 349 s on PostgreSQL, 330 and 394 s on SQLite, on a shared machine.
FIRST_HALF = pytest.mark.xdist_group("reliability_first_half")
SECOND_HALF = pytest.mark.xdist_group("reliability_second_half")


def _run(*args: str) -> dict[str, Any]:
    return run_probe(["reliability", *args, "--json"], timeout=900)


def _assert_every_event_exactly_once(figures: dict[str, Any]) -> None:
    assert figures["drained"] is True, figures
    assert figures["runs_succeeded"] == figures["windows"] > 0, figures
    assert figures["events_exported"] == figures["events_expected"] > 0, figures
    # A .json beside its own -failed (false_failed_manifests) fails every scenario, as does a
    # file beside a published hour's parts.
    for count in ("events_lost", "events_duplicated", "missing_files", "checksum_mismatches",
                  "stale_processing", "hours_with_two_manifests", "false_failed_manifests",
                  "files_beside_published_parts"):  # fmt: skip
        assert figures.get(count, 0) == 0, (count, figures)
    for place in ("broker_and_results", "emails", "worker_logs"):
        assert figures[f"leaks_in_{place}"] == 0, (place, figures)
    assert figures["bytes_searched_in_broker_and_results"] > 0  # the transcript was captured
    assert figures["task_messages"] > 0 and figures["task_messages_with_more_than_ids"] == 0


@SECOND_HALF
def test_workers_killed_at_random_lose_and_duplicate_nothing() -> None:
    figures = _run("chaos", "--hours", "3", "--kills", "5", "--rows", "2000")
    _assert_every_event_exactly_once(figures)
    assert figures["kills"] == 5 and figures["run_attempts"] >= figures["windows"]
    assert figures["deactivated"] == 0 and figures["emails"] == 0
    # Keys rotated halfway, while the workers exported: every secret moved, no row lost.
    assert figures["secrets_rotated_under_load"] == 5  # one per integration
    assert figures["secrets_not_on_the_new_key_after"] == 0


@SECOND_HALF
def test_cloud_faults_are_retried_and_a_lost_permission_is_not() -> None:
    figures = _run("faults", "--hours", "2", "--rate", "0.3", "--rows", "500")
    _assert_every_event_exactly_once(figures)
    assert figures["faults_injected"] >= 10, figures
    assert all(count > 0 for count in figures["faults_by_cloud"].values()), figures
    assert figures["deactivated_by_transient_faults"] == 0, figures
    assert figures["permission_loss_deactivated"] is True, figures
    assert figures["emails"] == 1  # the one deactivation, scanned for leaks above


@SECOND_HALF
def test_broker_and_database_outages_lose_no_window() -> None:
    figures = _run("outages", "--hours", "3", "--cycles", "1", "--rows", "20000")
    _assert_every_event_exactly_once(figures)
    asked = figures["healthz_asked_while_broker_down"]
    assert figures["healthz_503_while_broker_down"] == asked > 0, figures
    if figures["database"] == "postgresql":
        assert figures["database_connections_dropped"] > 0, figures
        assert figures["healthz_200_after_database_drop"] == 1, figures
    assert figures["deactivated"] == 0 and figures["emails"] == 0


@FIRST_HALF
def test_two_workers_on_a_backfill_never_mark_a_live_manifest_failed() -> None:
    """Many hours due at once: two workers export hours of one integration side by side, and
    seed 004's step 1 of one run must leave the other's live -processing manifest alone."""
    figures = _run("backfill", "--hours", "12", "--rows", "5000")
    _assert_every_event_exactly_once(figures)  # false_failed_manifests == 0 among them
    assert figures["overlapping_log_level_runs"] > 0, figures  # the race did arise


@SECOND_HALF
def test_an_admins_backfill_through_two_workers_exports_each_missing_window_once() -> None:
    """The first hour was never exported, the second was: both backfilled while the schedule
    goes on; the newest manifest of each hour holds each event once, the backfill's runs one at
    a time."""
    figures = _run("admin_backfill", "--hours", "3", "--rows", "400")
    assert figures["drained"] is True, figures
    assert figures["runs_succeeded"] == figures["windows"] > 0, figures
    assert figures["events_exported"] == figures["events_expected"] > 0, figures
    for count in ("events_lost", "events_duplicated", "missing_files", "checksum_mismatches",
                  "stale_processing", "false_failed_manifests",
                  "files_beside_published_parts"):  # fmt: skip
        assert figures.get(count, 0) == 0, (count, figures)
    # Five integrations: three raw (4 new windows each, 4 delivered left alone), two log-level
    # (the first hour new, the second a new generation with its own manifest).
    assert figures["backfill_windows"] == figures["backfill_windows_done"] == 3 * 4 + 2 * 2
    assert figures["backfill_delivered_before"] == 3 * 4
    assert figures["backfill_reprocessed_hours"] == figures["hours_with_two_manifests"] == 2
    assert figures["backfill_runs_in_flight_at_once"] == 1, figures


@FIRST_HALF
def test_a_large_hour_in_slices_on_two_workers_survives_a_worker_killed_mid_slice() -> None:
    """Issue 19: every log-level hour is split into slices both workers export; one worker is
    SIGKILLed while it holds a slice with a part out, and its slice is taken over."""
    figures = _run("parallel_hour", "--hours", "1", "--rows", "60000")
    _assert_every_event_exactly_once(figures)
    assert figures["killed_mid_slice"] is True, figures
    assert figures["sliced_hours"] == 2 and figures["slices"] >= 6, figures  # 2 log-level feeds
    assert figures["slices_taken_over"] >= 1 and figures["slices_not_succeeded"] == 0, figures
    assert figures["files_beside_published_parts"] == 0, figures


@FIRST_HALF
def test_a_noisy_neighbour_neither_slows_nor_stalls_the_other_tenants() -> None:
    """Issue 32: one tenant's webhook and S3-compatible endpoint are tarpits and a 400 MiB
    answer, its Verify waits on the tarpit; four other tenants' windows and webhooks go out as
    fast as without it, the tick is never held, and the bad tenant's attempts are recorded."""
    figures = _run("noisy_neighbour", "--hours", "1", "--rows", "200")
    for phase in ("quiet", "noisy"):
        windows = figures[f"{phase}_windows"]
        assert windows == figures[f"{phase}_windows_delivered"] > 0, figures
        assert figures[f"{phase}_webhooks_delivered"] == windows, figures
        assert figures[f"{phase}_tick_late_max_s"] <= 60, figures
    assert figures["freshness_max_added_s"] <= 30, figures
    assert figures["worker_rss_max_mb"] < 500, figures
    assert figures["bad_runs_succeeded"] == 0 and figures["bad_runs_failed_and_recorded"] > 0
    assert figures["bad_webhook_timeouts"] > 0 and figures["huge_bytes_sent_mb"] < 100, figures
    assert figures["bad_verify_state"] == "failed", figures
    assert figures["bad_verify_failed_code"] == "VerifyDeadline", figures
