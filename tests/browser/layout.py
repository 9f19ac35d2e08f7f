"""The layout checks of layout.js, run in the page: each gives a list of readable problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHECKS = (Path(__file__).parent / "layout.js").read_text()


def overflows(page: Any) -> list[str]:
    """Boxes wider than their container, and a page that scrolls sideways."""
    return list(page.evaluate(f"({CHECKS}).overflows()"))


def checkboxes_apart(page: Any) -> list[str]:
    """Checkboxes whose label text is not just right of them on the same line."""
    return list(page.evaluate(f"({CHECKS}).checkboxesApart()"))
