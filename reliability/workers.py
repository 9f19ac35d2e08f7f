"""Real Celery workers in their own processes, which the runs kill with SIGKILL and restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from exporthub.queues import QUEUES

from .world import ROOT, World


class Worker:
    """One worker process (`--pool=solo`) of every work class (queue), as a single-machine
    deployment may run; or, given `queues`, one of make run's per-class workers (prefork,
    `concurrency` children, consuming only those queues)."""

    def __init__(self, world: World, name: str, queues: str = "", concurrency: int = 1) -> None:
        self.world, self.name = world, name
        self.queues, self.concurrency = queues, concurrency
        self.log = world.workdir / f"worker-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        pool = ["--pool=solo", "-Q", ",".join(QUEUES)]
        if self.queues:
            pool = ["--pool=prefork", f"--concurrency={self.concurrency}", "-Q", self.queues]
        with Path(self.log).open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "exporthub", "worker", *pool,
                 "-n", f"{self.name}@%h", "--without-mingle", "--without-gossip",
                 "--loglevel=WARNING"],
                cwd=ROOT, env=self.world.env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL: no cleanup, no ack, no lease released; as when a machine dies."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
