"""`make test` installs the missing tools as root with apt-get, else stops in its first seconds
naming the install command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import preflight

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


def test_it_finds_every_tool_on_this_machine() -> None:
    # Asked, not run: as root the script would apt-get what is missing.
    assert [need.line() for need in preflight.missing()] == []


INSTALL = ["apt-get", "install", "-y", "-qq"]
EVERYTHING = ["nodejs", "npm", "openjdk-17-jre-headless", "chromium", "redis-server"]


@pytest.fixture
def bare_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No npm, java, redis-server or Chromium: PATH and the browser's place are empty folders."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setattr(preflight, "CHROMIUM", str(tmp_path / "chromium"))
    return tmp_path


def _apt_get(bin_dir: Path, answer: int, ran: list[list[str]]) -> preflight.Runner:
    """apt-get as it would run: commands recorded, and a successful install puts the tools in
    place (java answering as Java 17 does)."""

    def run(command: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        ran.append(command)
        if command[:2] == ["apt-get", "install"] and answer == 0:
            for name in ("npm", "redis-server", "chromium"):
                (bin_dir / name).write_text("#!/bin/sh\n")
            (bin_dir / "java").write_text("#!/bin/sh\necho 'openjdk version \"17.0.15\"' >&2\n")
            for tool in bin_dir.iterdir():
                tool.chmod(0o755)
        return subprocess.CompletedProcess(command, answer)

    return run


def test_as_root_with_apt_get_it_installs_what_is_missing_and_says_so(
    bare_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    assert preflight.main(_apt_get(bare_machine, 0, ran), installing=True) == 0
    assert ran == [["apt-get", "update", "-qq"], INSTALL + EVERYTHING]
    assert (
        capsys.readouterr().err == f"make test installs {' '.join(EVERYTHING)} (apt-get, as root)\n"
    )


def test_when_apt_get_fails_it_names_each_command_as_before(
    bare_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    assert preflight.main(_apt_get(bare_machine, 100, ran), installing=True) == 1
    assert ran == [["apt-get", "update", "-qq"]]  # no install after a failed update
    err = capsys.readouterr().err
    assert "make test needs Node.js with npm (Azurite, the Azure stand-in): " in err
    assert "apt-get update && apt-get install -y nodejs npm\n" in err
    assert "apt-get update && apt-get install -y chromium\n" in err


def test_without_root_it_installs_nothing_and_names_the_commands(
    bare_machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran: list[list[str]] = []
    assert preflight.main(_apt_get(bare_machine, 0, ran), installing=False) == 1
    assert ran == []
    assert (
        "apt-get update && apt-get install -y openjdk-17-jre-headless\n" in capsys.readouterr().err
    )
