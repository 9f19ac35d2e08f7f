"""SQLite is the database `make run` starts on, with workers beside the web process, all on one
file: a process reading rows must not lock itself out of writing when another one commits
(an export writing the ledger between its reads, a key rotation re-encrypting row by row)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support.probes import run_probe

pytestmark = pytest.mark.xdist_group("sqlite_probe")  # one probe run answers every test here


def _probe(tmp_path: Path) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'exporthub.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "exporthub.test_settings"}  # fmt: skip
    return run_probe(["tests.sqlite_probe"], env, timeout=300)


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _probe(tmp_path_factory.mktemp("sqlite"))


def test_a_worker_reading_an_hour_on_sqlite_still_writes_the_ledger_after_another_commits(
    figures: dict[str, Any],
) -> None:
    """Two workers on one SQLite file (WAL): a read left open across a ledger write made that
    write fail with 'database is locked' at once (the reader's snapshot was older than the
    other worker's commit), failing slices and runs that had done nothing wrong."""
    assert figures["journal_mode"] == "wal", figures
    assert figures["read"] == figures["rows"], figures
    assert figures["ledger_errors"] == [], figures


def test_rotating_keys_on_sqlite_beside_a_worker_rotates_every_secret(
    figures: dict[str, Any],
) -> None:
    """More secrets than one fetch: the command's read was still open when it wrote, and the
    first commit of a worker beside it made every write after that fail."""
    assert figures["rotation_error"] is None, figures
    assert figures["rotated"] == figures["secrets"], figures
