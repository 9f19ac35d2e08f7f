"""`make test`'s first step: the machine tools the suite drives, each with the command that
installs it. Standard library only, so it runs before anything is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

APT = "apt-get update && apt-get install -y"


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


def missing() -> list[str]:
    """One line per missing tool: what needs it, and the command to run."""
    problems = []
    if shutil.which("npm") is None:
        problems.append(f"Node.js with npm (Azurite, the Azure stand-in): {APT} nodejs npm")
    if (_java_major() or 0) < 17:
        problems.append(
            f"Java 17+ (Hadoop's SequenceFile reader in pyspark): {APT} openjdk-17-jre-headless"
        )
    if not os.access("/usr/bin/chromium", os.X_OK):
        problems.append(f"Chromium at /usr/bin/chromium (the browser tests): {APT} chromium")
    if not os.environ.get("REDIS_URL") and shutil.which("redis-server") is None:
        problems.append(f"redis-server, or REDIS_URL set (the worker tests): {APT} redis-server")
    return problems


def main() -> int:
    problems = missing()
    for line in problems:
        print(f"make test needs {line}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
