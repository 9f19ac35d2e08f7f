"""A fourth cloud needs one folder and one registry line: this folder's cloud (a local folder),
added by its settings.py alone, goes through New, Configure, Verify, an export and the API."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]


def test_a_fourth_cloud_is_one_folder_and_one_registry_line() -> None:
    # Its own process: the registry is read once, at start, from the settings.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-n",
            "0",
            "-q",
            "--ds",
            "tests.integrations.destinations.localfs.settings",
            str(HERE / "journey.py"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
