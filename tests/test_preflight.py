"""`make test` stops in its first seconds, naming the install command, when a tool is missing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _preflight(path: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "tests/support/preflight.py"],
        cwd=ROOT, env={"PATH": path}, capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_it_names_each_missing_tool_with_the_command_that_installs_it(tmp_path: Path) -> None:
    done = _preflight(str(tmp_path))  # an empty PATH: no npm, java or redis-server
    assert done.returncode == 1
    assert "apt-get update && apt-get install -y nodejs npm" in done.stderr
    assert "apt-get install -y openjdk-17-jre-headless" in done.stderr
    assert "apt-get install -y redis-server" in done.stderr


def test_it_passes_on_this_machine() -> None:
    done = _preflight("/usr/local/bin:/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
