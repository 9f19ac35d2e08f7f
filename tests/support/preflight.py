"""`make test`'s first step: the machine tools the suite drives. As root with apt-get (CI, a
fresh container) it installs the missing Debian packages itself and says so; otherwise it names
each missing tool with the command that installs it. Standard library only, so it runs before
anything is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

APT = "apt-get update && apt-get install -y"
CHROMIUM = "/usr/bin/chromium"
Runner = Callable[..., subprocess.CompletedProcess[Any]]


@dataclass(frozen=True)
class Need:
    """A missing tool: what needs it, and the Debian packages that provide it."""

    what: str
    packages: tuple[str, ...]

    def line(self) -> str:
        return f"{self.what}: {APT} {' '.join(self.packages)}"


def _java_major() -> int | None:
    java = shutil.which("java")
    if java is None:
        return None
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8" is Java 8


def missing() -> list[Need]:
    """Each missing tool, with the packages to install."""
    needs = []
    if shutil.which("npm") is None:
        needs.append(Need("Node.js with npm (Azurite, the Azure stand-in)", ("nodejs", "npm")))
    if (_java_major() or 0) < 17:
        needs.append(
            Need("Java 17+ (Hadoop's SequenceFile reader in pyspark)", ("openjdk-17-jre-headless",))
        )
    if not os.access(CHROMIUM, os.X_OK):
        needs.append(Need(f"Chromium at {CHROMIUM} (the browser tests)", ("chromium",)))
    if not os.environ.get("REDIS_URL") and shutil.which("redis-server") is None:
        needs.append(Need("redis-server, or REDIS_URL set (the worker tests)", ("redis-server",)))
    return needs


def can_install() -> bool:
    """Root with apt-get, as in CI's container: installing is what the user would do next."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def install(needs: Sequence[Need], run: Runner = subprocess.run) -> bool:
    """apt-get the packages of `needs` as .ci/run does, asking nothing; True when it succeeded."""
    packages = [package for need in needs for package in need.packages]
    print(f"make test installs {' '.join(packages)} (apt-get, as root)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    commands = [
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", *packages],
    ]
    return all(run(command, env=env, check=False).returncode == 0 for command in commands)


def main(run: Runner = subprocess.run, installing: bool | None = None) -> int:
    needs = missing()
    if needs and (can_install() if installing is None else installing) and install(needs, run):
        needs = missing()
    for need in needs:
        print(f"make test needs {need.line()}", file=sys.stderr)
    return 1 if needs else 0


if __name__ == "__main__":
    sys.exit(main())
