"""`make reliability`: the long runs of docs/RELIABILITY.md, each in a fresh world; prints the
figures and writes reliability/results.json.

    python -m reliability [chaos|faults|outages|backfill|admin_backfill|parallel_hour
                           |noisy_neighbour ...]
        [--hours N]
        [--kills N] [--rate R] [--cycles N] [--json]

Defaults are the long runs (50 kills, ≥ 500 faults); the CI tests pass small ones."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

SCENARIOS = (
    "chaos", "faults", "outages", "backfill", "admin_backfill", "parallel_hour", "noisy_neighbour",
)  # fmt: skip
RESULTS = Path(__file__).resolve().parent / "results.json"


def _scenario(name: str, options: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from reliability import scenarios, world

    built = world.build(name, seed=options.seed)
    try:
        if name == "noisy_neighbour":
            from reliability import noisy

            hours = options.hours or 2
            return {"scenario": name, "hours": hours,
                    **noisy.run(built, hours, options.rows)}  # fmt: skip
        world.configure_django(built)
        hours = options.hours or {
            "chaos": 48, "faults": 48, "outages": 12, "backfill": 48, "admin_backfill": 12,
            "parallel_hour": 2,
        }[name]  # fmt: skip
        world.populate(built, hours, options.rows, timezone.now())
        if name == "chaos":
            figures = scenarios.chaos(built, hours, options.kills, options.seed)
        elif name == "faults":
            figures = scenarios.faults(built, hours, options.rate)
        elif name == "backfill":
            figures = scenarios.backfill(built, hours)
        elif name == "admin_backfill":
            figures = scenarios.admin_backfill(built, hours)
        elif name == "parallel_hour":
            figures = scenarios.parallel_hour(built, hours)
        else:
            figures = scenarios.outages(built, hours, options.cycles)
    finally:
        built.close()
    return {"scenario": name, "hours": hours, **figures}


def main() -> None:
    # Stopped from outside (a CI timeout): unwind, so the workers and stand-ins stop too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(prog="python -m reliability")
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--hours", type=int, default=0, help="hours of events per integration")
    parser.add_argument("--rows", type=int, default=2000, help="events per hour and integration")
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.25, help="share of requests faulted")
    parser.add_argument("--cycles", type=int, default=3, help="broker and database outages")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="one JSON line per scenario only")
    options = parser.parse_args()
    options.scenarios = options.scenarios or list(SCENARIOS)
    if unknown := set(options.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}")
    if len(options.scenarios) > 1:
        # Django is configured once per process: one process per scenario.
        import subprocess

        results = []
        for name in options.scenarios:
            args = [a for a in sys.argv[1:] if a not in SCENARIOS]
            done = subprocess.run(
                [sys.executable, "-m", "reliability", name, *args, "--json"],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise SystemExit(f"{name} failed:\n{done.stderr[-4000:]}")
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        for result in results:
            _print(result)
        print(f"\nwritten to {RESULTS.name}")
        return
    result = _scenario(options.scenarios[0], options)
    if options.json:
        print(json.dumps(result))
        return
    _print(result)
    # One scenario run on its own replaces its entry in the results file.
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    results = [r for r in results if r["scenario"] != result["scenario"]] + [result]
    results.sort(key=lambda r: SCENARIOS.index(r["scenario"]))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def _print(result: dict[str, Any]) -> None:
    print(f"\n== {result['scenario']}")
    for key, value in result.items():
        if key != "scenario":
            print(f"  {key:34} {value}")


if __name__ == "__main__":
    main()
