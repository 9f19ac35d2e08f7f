"""The layout checks of layout.js, run in the page: each gives a list of readable problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import RESULTS

CHECKS = (Path(__file__).parent / "layout.js").read_text()
SCREENSHOTS = RESULTS / "screenshots"
WIDTHS = (1366, 390)


def overflows(page: Any) -> list[str]:
    """Boxes wider than their container, and a page that scrolls sideways."""
    return list(page.evaluate(f"({CHECKS}).overflows()"))


def checkboxes_apart(page: Any) -> list[str]:
    """Checkboxes whose label text is not just right of them on the same line."""
    return list(page.evaluate(f"({CHECKS}).checkboxesApart()"))


def labels_apart(page: Any) -> list[str]:
    """Labels neither just above their field nor just left of it on the same line."""
    return list(page.evaluate(f"({CHECKS}).labelsApart()"))


def measure(page: Any, name: str) -> dict[str, list[str]]:
    """The page as it is now, laid out at each width (resized, not reloaded: a page shown once
    stays the same page), its problems by width, and a screenshot at each."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        found = overflows(page) + checkboxes_apart(page) + labels_apart(page)
        if found:
            problems[f"{name} at {width}px"] = found
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.jpg"), full_page=True,
                        type="jpeg", quality=55)  # fmt: skip
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {found[:6]}" for where, found in problems.items())
