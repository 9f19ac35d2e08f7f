"""The .proto and .avsc files shipped for consumers, kept in feeds/schema/published/ and served."""

from __future__ import annotations

import json
from pathlib import Path

from integrations.catalog import FEEDS

from .derived import avro_schema, proto_source

FOLDER = Path(__file__).resolve().parent / "published"
KINDS = {"proto": "text/plain; charset=utf-8", "avsc": "application/json"}


def render(feed: str, kind: str) -> str:
    if kind == "proto":
        return proto_source(feed)
    return json.dumps(avro_schema(feed), indent=2) + "\n"


def expected_files() -> dict[Path, str]:
    return {FOLDER / f"{feed}.{kind}": render(feed, kind) for feed in FEEDS for kind in KINDS}
