"""Running a scenario in a process of its own (a probe module, a reliability run) and reading
the one JSON line of figures it prints last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_probe(
    args: list[str], env: dict[str, str] | None = None, timeout: int = 600
) -> dict[str, Any]:
    """`python -m <args>` from the project's root; its last line of stdout, as a dict."""
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-6000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
