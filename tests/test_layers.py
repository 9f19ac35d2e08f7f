"""The floor plan holds: exporthub ← integrations ← feeds ← webhooks, each importing only the
layers below it; each cloud's SDK is imported only in that cloud's folder, and a cloud folder
imports of the project only the destination contract; production ingestion never imports the
demo generator (issue 18); cloud lists come from the registry, every write of a run goes
through the ledger, no package is a room too big, and tests share helpers through
tests/support/ alone (issue 34)."""

from __future__ import annotations

import ast
import graphlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _sdks() -> dict[Path, tuple[str, ...]]:
    """Each registered cloud's folder and the SDK modules it declares."""
    from integrations.destinations import REGISTRY

    return {
        Path(sys.modules[cls.__module__].__file__ or "").parent: cls.sdk_modules
        for cls in REGISTRY.values()
    }


def _imports(package: str) -> Iterator[tuple[Path, str]]:
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


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_module(name: str) -> str | None:
    """The project module an imported name lives in (`a.b` of `a.b.Name`); None outside it."""
    parts = name.split(".")
    if parts[0] not in LAYERS:
        return None
    while parts:
        path = ROOT.joinpath(*parts)
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return None


LAYERS = ("exporthub", "integrations", "feeds", "webhooks")  # each may import those before it
# The project's URL and API routing names every app's views: the one place above them all.
ROUTING = {"exporthub/urls.py", "exporthub/api/urls.py"}


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_layer_imports_one_above_it(layer: str) -> None:
    above = LAYERS[LAYERS.index(layer) + 1 :]
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports(layer)
        if any(_within(m, upper) for upper in above) and str(p.relative_to(ROOT)) not in ROUTING
    ]
    assert found == []


def _import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports, at the top or in a function."""
    graph: dict[str, set[str]] = {}
    for layer in LAYERS:
        for path, name in _imports(layer):
            here, there = _module_name(path), _project_module(name)
            # A module's own packages ran before it: importing them closes no cycle.
            if there is not None and not _within(here, there):
                graph.setdefault(here, set()).add(there)
    return graph


def test_no_module_imports_itself_back() -> None:
    """No module imports itself back, directly or through others: a cycle makes import order
    matter and hides behind function-level imports."""
    try:
        graphlib.TopologicalSorter(_import_graph()).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail("import cycle: " + " -> ".join(cycle.args[1]))


def test_the_cycle_check_sees_imports() -> None:
    graph = _import_graph()
    assert "integrations.destinations.base" in graph["integrations.destinations.s3.destination"]
    assert "exporthub.queues" in graph["exporthub.settings.workers"]


def test_integrations_never_imports_feeds() -> None:
    found = [
        f"{p.relative_to(ROOT)}: {m}" for p, m in _imports("integrations") if _within(m, "feeds")
    ]
    assert found == []


def test_a_cloud_sdk_is_imported_only_in_its_cloud_folder() -> None:
    found = []
    clouds = _sdks()
    assert {folder.name for folder in clouds} >= {"s3", "gcs", "azure"}
    for package in LAYERS:
        for path, module in _imports(package):
            for folder, sdks in clouds.items():
                if any(_within(module, sdk) for sdk in sdks) and folder not in path.parents:
                    found.append(f"{path.relative_to(ROOT)}: {module}")
    assert found == []


# What a cloud folder may import of the project besides its own modules: the destination
# contract (with the upload stream it hashes and the redaction of its messages), the form
# contract its form extends, the feeds' vocabulary its grants are drawn from (what each feed
# does in storage, and where), and exporthub's outbound door for its endpoints.
CONTRACT = (
    "integrations.destinations.base",
    "integrations.destinations.engines",
    "integrations.destinations.hashing_reader",
    "integrations.destinations.redaction",
    "integrations.forms.base",
    "integrations.forms.widgets",
    "integrations.catalog",
    "integrations.paths",
    "exporthub.outbound",
)
PROJECT = (*LAYERS, "tests")


# The test-only cloud's modules too (not its journey, its test or its settings).
TEST_CLOUD = "tests/integrations/destinations/localfs"
TEST_CLOUD_HARNESS = {"journey.py", "settings.py", "test_fourth_cloud.py"}


def test_a_cloud_folder_imports_only_the_destination_contract() -> None:
    clouds = ROOT / "integrations" / "destinations"
    found = []
    for path, module in [*_imports("integrations/destinations"), *_imports(TEST_CLOUD)]:
        if path.parent == clouds or path.name in TEST_CLOUD_HARNESS:
            continue
        own = ".".join(path.parent.relative_to(ROOT).parts)
        if not any(_within(module, p) for p in PROJECT) or _within(module, own):
            continue
        if not any(_within(module, allowed) for allowed in CONTRACT):
            found.append(f"{path.relative_to(ROOT)}: {module}")
    assert found == []


def test_production_ingestion_does_not_import_the_demo_generator() -> None:
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("feeds")
        if "ingestion" in p.parts and _within(m, "feeds.demo")
    ]
    assert found == []


def test_it_keeps_file_formats_from_importing_back_from_the_runs_that_use_them() -> None:
    """A run reads top to bottom: runs use formats, never the other way round (issue 34)."""
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in _imports("feeds")
        if "formats" in p.parts and _within(m, "feeds.runs")
    ]
    assert found == []


def test_the_layer_check_sees_imports() -> None:
    """The checks above would pass on a parser that finds nothing: they find known imports."""
    modules = {m for p, m in _imports("feeds") if p.name == "window.py"}
    assert {"integrations.models", "feeds.runs.ledger", "feeds.formats"} <= modules


def test_log_level_feeds_are_named_only_in_the_registry() -> None:
    """A log-level feed is defined once (integrations/catalog.py, feeds/schema/columns.py); no
    code, template or static file names one (issue 22). Migrations and the published .proto/.avsc
    are generated from the registry."""
    from integrations.catalog import FEEDS, FeedKind

    names = [name for name, feed in FEEDS.items() if feed.kind == FeedKind.LOG_LEVEL]
    registry = {ROOT / "integrations" / "catalog.py", ROOT / "feeds" / "schema" / "columns.py"}
    found = []
    for folder in ("exporthub", "integrations", "feeds", "webhooks", "templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            generated = "migrations" in path.parts or "published" in path.parts
            if path.suffix not in {".py", ".html", ".js", ".css", ".txt"} or generated:
                continue
            if path in registry:
                continue
            text = path.read_text()
            found += [f"{path.relative_to(ROOT)}: {name}" for name in names if name in text]
    assert found == []


def test_the_long_runs_take_their_clouds_from_the_registry() -> None:
    """`make reliability` names no cloud and imports no SDK: each registered cloud's stand-in,
    fault answers and read-back live in its test folder (tests/integrations/destinations/<kind>/
    longrun.py), found by kind (issue 34)."""
    from integrations.destinations import REGISTRY

    sdks = {sdk for cls in REGISTRY.values() for sdk in cls.sdk_modules}
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in _imports("reliability")
        if any(_within(module, sdk) for sdk in sdks)
    ]
    for path in (ROOT / "reliability").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and node.value in REGISTRY:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []


def _help_texts(tree: ast.AST) -> set[int]:
    """Ids of the strings given as a model field's help_text (changing one needs a migration)."""
    return {
        id(keyword.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg == "help_text"
    }


def test_a_clouds_credentials_are_named_only_in_its_folder() -> None:
    """What users read of a cloud's credentials (the label of a secret setting, e.g. Azure's "SAS
    token") comes from its declaration, so that a fourth cloud's reminders and warnings name its
    own (issue 34). Docstrings and comments may name them; code and templates may not."""
    from integrations.destinations import REGISTRY

    labels = {s.label.lower() for cls in REGISTRY.values() for s in cls.settings if s.secret}
    clouds = ROOT / "integrations" / "destinations"
    found = []
    for folder in ("exporthub", "integrations", "feeds", "webhooks", "templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if clouds in path.parents or "migrations" in path.parts:
                continue
            if path.suffix == ".py":
                tree = ast.parse(path.read_text())
                docstrings = {
                    id(node.body[0].value)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                    and node.body
                    and isinstance(node.body[0], ast.Expr)
                }
                skipped = docstrings | _help_texts(tree)
                texts = [
                    str(node.value)
                    for node in ast.walk(tree)
                    if isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in skipped
                ]
            elif path.suffix in {".html", ".txt", ".js"}:
                texts = [path.read_text()]
            else:
                continue
            found += [
                f"{path.relative_to(ROOT)}: {label}"
                for label in labels
                if any(label in text.lower() for text in texts)
            ]
    assert found == []


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


def test_no_test_module_imports_another_test_modules_helpers() -> None:
    """Helpers two test modules share live in tests/support/ (or in a cloud's test folder), not
    in one of them: importing a test module runs its tests' collection twice and hides what
    the helper belongs to (issue 34)."""
    found = {
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in _imports("tests")
        if _within(module, "tests") and module.rpartition(".")[2].startswith("test_")
    }
    assert found == set()


# The demo runs on the S3 stand-in `make run` starts: the one place outside a cloud folder that
# chooses a cloud, as a deployment does.
CHOOSES_A_CLOUD = {ROOT / "feeds" / "management" / "commands" / "demo_traffic.py"}


def test_no_production_code_names_a_cloud_outside_its_folder() -> None:
    """Cloud lists come from the registry: no code outside a cloud's folder keys a table by a
    cloud's kind (the Iceberg page's queries took a cloud's forms from its folder, issue 34)."""
    from integrations.destinations import REGISTRY

    clouds = ROOT / "integrations" / "destinations"
    found = []
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if clouds in path.parents or "migrations" in path.parts or path in CHOOSES_A_CLOUD:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Constant) and node.value in REGISTRY:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_shared_test_helpers_import_no_cloud_sdk() -> None:
    """What tests share (tests/support/) is cloud-neutral: a cloud's credentials, answers and
    stand-in helpers live in its test folder (tests/integrations/destinations/<kind>/), found
    by kind or imported from there (issue 34)."""
    from integrations.destinations import REGISTRY

    sdks = {sdk for cls in REGISTRY.values() for sdk in cls.sdk_modules}
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in _imports("tests/support")
        if any(_within(module, sdk) for sdk in sdks)
    ]
    assert found == []


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


def test_a_clouds_form_can_be_imported_first() -> None:
    """A cloud's form.py imports the form contract; the forms by kind import the cloud's form.
    With both in one package, importing a cloud's form first met its own half-made module
    (issue 34: kept acyclic only by a computed module name). In a process of its own, as a
    worker or a command that starts there would."""
    from integrations.destinations import REGISTRY

    for cls in REGISTRY.values():
        form = cls.__module__.rpartition(".")[0] + ".form"
        code = f"import django; django.setup(); import {form}; print('ok')"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings"}
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_no_test_outside_a_clouds_folder_lists_clouds_by_hand() -> None:
    """Tests that go over clouds take them from the registry (tests/support/clouds.py); a
    cloud's own tests live in its folder (issue 34). This file's check that the registry holds
    the three built-in clouds is the one list."""
    from integrations.destinations import REGISTRY

    folders = ROOT / "tests" / "integrations" / "destinations"
    found = []
    for path in (ROOT / "tests").rglob("*.py"):
        if folders in path.parents or path == Path(__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.List | ast.Tuple | ast.Set) and len(node.elts) >= 2:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.elts) and all(v in REGISTRY for v in values):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
