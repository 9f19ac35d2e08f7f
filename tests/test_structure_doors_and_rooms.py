"""One door and rooms small enough to find things in (issue 34): every write of a run or its
slices goes through the ledger, and no package holds more than ROOM_SIZE modules at its top
level."""

from __future__ import annotations

import ast

from tests.support.source_tree import LAYERS, ROOT

# What writes rows: a queryset's writes, reached from the model's manager in one expression.
ROW_WRITES = {"update", "create", "bulk_create", "bulk_update", "delete", "get_or_create",
              "update_or_create"}  # fmt: skip
LEDGER = ROOT / "feeds" / "runs" / "ledger"


def _model_of(node: ast.AST) -> str | None:
    """The name an expression like `ExportRun.objects.filter(…)` starts from."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def test_every_write_of_a_run_or_its_slices_goes_through_the_ledger() -> None:
    """One door (STYLE 12): runs and a sliced hour's slices are written in feeds/runs/ledger/
    alone (issue 34), so a claim, a lease or a fence cannot be skipped by a second way in."""
    found = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if "migrations" in path.parts or LEDGER in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                model = _model_of(node.func.value)
                if node.func.attr in ROW_WRITES and model in {"ExportRun", "ExportSlice"}:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {model}")
    assert found == []


def test_the_ledger_check_sees_writes() -> None:
    """The check above would pass on a parser that finds nothing: it finds the ledger's own."""
    writes = [
        node
        for node in ast.walk(ast.parse((LEDGER / "creating.py").read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ROW_WRITES
        and _model_of(node.func.value) == "ExportRun"
    ]
    assert writes


# The most modules a package holds at its top level before it is split into wings that change
# together (issue 34: integrations/ had 22, feeds/runs/ 18 and then 20).
ROOM_SIZE = 16


def test_no_package_is_a_room_too_big_to_find_things_in() -> None:
    found = []
    for layer in LAYERS:
        for init in (ROOT / layer).rglob("__init__.py"):
            if "migrations" in init.parts:
                continue
            modules = [p for p in init.parent.glob("*.py") if p.name != "__init__.py"]
            if len(modules) > ROOM_SIZE:
                found.append(f"{init.parent.relative_to(ROOT)}: {len(modules)} modules")
    assert found == []
