"""Whether and where a raw window's completion manifest is written: the one place that decides.

Seed 000's Year/Month/Day folders hold the data files alone, and scripts written for it take
every object there. A completion manifest is an option of the integration
(`completion_manifests`, off by default), written under `{Directory}/_manifests/` in the same
Year/Month/Day folders: outside the data folders, inside the prefix the integration is granted,
and `_`-prefixed, which Hadoop, Spark and Hive skip as a hidden folder.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.paths import join_key

from ..windows import raw_file_stamp

FOLDER = "_manifests"


def manifest_key(config: dict[str, Any], start: datetime) -> str | None:
    """The window's manifest key, or None when the integration did not ask for manifests."""
    if not config.get("completion_manifests"):
        return None
    day = (f"{start:%Y}", f"{start:%m}", f"{start:%d}")
    return join_key(config["directory"], FOLDER, *day, f"{raw_file_stamp(start)}.manifest.json")
