"""The project's source as the structure tests read it: its layers and every import of a folder,
parsed, not imported."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAYERS = ("exporthub", "integrations", "feeds", "webhooks")  # each may import those before it


def imports(package: str) -> Iterator[tuple[Path, str]]:
    """(file, imported module) for every import in a package, relative ones resolved."""
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        here = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                yield path, module
                for alias in node.names:  # `from . import x` imports a module too
                    yield path, f"{module}.{alias.name}"


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")
