"""The clouds of the long runs: those the registry holds, each brought by its test folder.

What one cloud needs here — its stand-in, the faults as it answers them, its buckets made and
read back, its tenant and exports in the world — lives in
`tests/integrations/destinations/<kind>/longrun.py` as a class `Cloud` following `LongRunCloud`;
this module only finds them."""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from importlib import import_module
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent


class LongRunCloud(Protocol):
    kind: str
    # The world's tenant exporting to this cloud: name, slug, seat id.
    tenant: tuple[str, str, int]
    # Its integrations: (feed, the fields of its own besides the cloud's).
    exports: tuple[tuple[str, dict[str, Any]], ...]
    # Secrets that appear in the run's integrations; none may reach a log, an email or the broker.
    canaries: list[str]

    def start(self, stack: ExitStack) -> str:
        """Start the stand-in (stopped with `stack`); the URL the fault proxy forwards to."""
        ...

    def environment(self, proxied: str) -> dict[str, str]:
        """The variables that send every process's requests to `proxied` (the fault proxy)."""
        ...

    def fault_answer(
        self, status: int, code: str, message: str
    ) -> tuple[str, bytes, dict[str, str]]:
        """An injected error as this cloud writes it: content type, body, extra headers."""
        ...

    def new_container(self, name: str, feed: str) -> dict[str, Any]:
        """Create a bucket or container `name` in the stand-in; the integration form's fields
        for it (credentials included)."""
        ...

    def objects(self, config: dict[str, Any]) -> dict[str, bytes]:
        """Every object of an integration's bucket or container, read from the stand-in itself."""
        ...

    def write_revoked(self) -> dict[str, Any] | None:
        """Secrets that still read but no longer write, where the stand-in enforces them (the
        faults run's lost permission); None where it cannot."""
        ...

    def tenant_endpoint(self, url: str) -> dict[str, Any] | None:
        """The fields that send an integration to a host the tenant chose (the noisy
        neighbour's tarpit); None for a cloud without such a setting."""
        ...


def registered_kinds(env: dict[str, str]) -> list[str]:
    """The registry's kinds under the world's settings, asked of a process of its own: the
    registry is read from the settings, and the settings read the stand-ins' addresses when
    first imported, before which the stand-ins must be running."""
    script = "from integrations.destinations import REGISTRY; print(' '.join(REGISTRY))"
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    if found.returncode != 0:
        raise RuntimeError(f"The registry could not be read: {found.stderr[-2000:]}")
    return found.stdout.split()


def load(
    kinds: list[str], workdir: Path, certificate: tuple[Path, Path]
) -> dict[str, LongRunCloud]:
    """Each kind's long-run cloud, in the registry's order."""
    clouds = {}
    for kind in kinds:
        name = f"tests.integrations.destinations.{kind}.longrun"
        try:
            module = import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name is None or not name.startswith(missing.name):
                raise
            raise RuntimeError(
                f"The cloud {kind!r} has no long-run stand-in: add "
                f"tests/integrations/destinations/{kind}/longrun.py (docs/integrations.md)."
            ) from missing
        clouds[kind] = module.Cloud(workdir, certificate)
    return clouds
