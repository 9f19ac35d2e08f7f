"""Exports as the tests drive them: active integrations on the stand-ins, their events, a run of
the exports, and seed 004 manifests checked (buckets on the S3 stand-in are made and read back
by tests/integrations/destinations/s3/buckets.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import jsonschema
from django.core.management import call_command

from exporthub.tenancy.models import Tenant
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from integrations.models import Integration, State
from tests.support.integrations import make_integration

SCHEMA = json.loads((Path(__file__).parent / "seed004_manifest.schema.json").read_text())


def active(
    tenant: Tenant, destination: str, feed: str, exports_from: datetime, **fields: Any
) -> Integration:
    integration = make_integration(tenant, destination, feed, **fields)
    assert isinstance(integration, Integration), integration
    Integration.objects.filter(pk=integration.pk).update(
        state=State.ACTIVE, exports_from=exports_from
    )
    integration.refresh_from_db()
    return integration


def events(
    tenant: Tenant, feed: str, count: int, start: datetime, end: datetime, seed: int = 3
) -> list[tuple[Any, ...]]:
    pairs = list(Generator(feed, seed).rows(count, start, end))
    store_events(tenant, feed, pairs)
    return [row for row, _ in pairs]


def run_exports(now: str, capture: Callable[..., Any] | None = None) -> str:
    out = StringIO()
    if capture is None:
        call_command("run_exports", f"--now={now}", stdout=out)
    else:
        with capture(execute=True):
            call_command("run_exports", f"--now={now}", stdout=out)
    return out.getvalue()


def manifest_files(files: dict[str, bytes], suffix: str = ".json") -> dict[str, bytes]:
    """The objects under manifests/ whose names end with `suffix`."""
    return {k: v for k, v in files.items() if k.startswith("manifests/") and k.endswith(suffix)}


def valid_manifest(data: bytes) -> dict[str, Any]:
    manifest = json.loads(data)
    jsonschema.validate(manifest, SCHEMA)
    return dict(manifest)


def refuse_final_manifests(monkeypatch: Any) -> None:
    """Writing a final `.json` manifest answers SlowDown (a transient error); every other write,
    -processing manifests and data files, goes through. `monkeypatch.undo()` or a new setattr
    of `manifests.put` ends it."""
    from feeds.runs import manifests
    from integrations.destinations.base import DestinationError

    written = manifests.put

    def put(conn: Any, key: str, body: bytes) -> None:
        if key.endswith(".json"):
            raise DestinationError("SlowDown", "Please reduce your request rate.", permanent=False)
        written(conn, key, body)

    monkeypatch.setattr(manifests, "put", put)
