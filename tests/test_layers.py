"""The floor plan holds: exporthub ← integrations ← feeds ← webhooks, each importing only the
layers below it, with no import cycle; each cloud's SDK is imported only in that cloud's folder,
and a cloud folder imports of the project only the destination contract; production ingestion
never imports the demo generator (issue 18); tests share helpers through tests/support/ alone,
which imports no cloud SDK (issue 34). The house rules that are not about imports are in
tests/test_structure_*.py."""

from __future__ import annotations

import graphlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.source_tree import LAYERS, ROOT, imports, within


def _sdks() -> dict[Path, tuple[str, ...]]:
    """Each registered cloud's folder and the SDK modules it declares."""
    from integrations.destinations import REGISTRY

    return {
        Path(sys.modules[cls.__module__].__file__ or "").parent: cls.sdk_modules
        for cls in REGISTRY.values()
    }


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


# The project's URL and API routing names every app's views: the one place above them all.
ROUTING = {"exporthub/urls.py", "exporthub/api/urls.py"}


@pytest.mark.parametrize("layer", LAYERS[:-1])
def test_no_layer_imports_one_above_it(layer: str) -> None:
    above = LAYERS[LAYERS.index(layer) + 1 :]
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in imports(layer)
        if any(within(m, upper) for upper in above) and str(p.relative_to(ROOT)) not in ROUTING
    ]
    assert found == []


def _import_graph() -> dict[str, set[str]]:
    """Each project module and the project modules it imports, at the top or in a function."""
    graph: dict[str, set[str]] = {}
    for layer in LAYERS:
        for path, name in imports(layer):
            here, there = _module_name(path), _project_module(name)
            # A module's own packages ran before it: importing them closes no cycle.
            if there is not None and not within(here, there):
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
        f"{p.relative_to(ROOT)}: {m}" for p, m in imports("integrations") if within(m, "feeds")
    ]
    assert found == []


def test_a_cloud_sdk_is_imported_only_in_its_cloud_folder() -> None:
    found = []
    clouds = _sdks()
    assert {folder.name for folder in clouds} >= {"s3", "gcs", "azure"}
    for package in LAYERS:
        for path, module in imports(package):
            for folder, sdks in clouds.items():
                if any(within(module, sdk) for sdk in sdks) and folder not in path.parents:
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
    for path, module in [*imports("integrations/destinations"), *imports(TEST_CLOUD)]:
        if path.parent == clouds or path.name in TEST_CLOUD_HARNESS:
            continue
        own = ".".join(path.parent.relative_to(ROOT).parts)
        if not any(within(module, p) for p in PROJECT) or within(module, own):
            continue
        if not any(within(module, allowed) for allowed in CONTRACT):
            found.append(f"{path.relative_to(ROOT)}: {module}")
    assert found == []


def test_production_ingestion_does_not_import_the_demo_generator() -> None:
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in imports("feeds")
        if "ingestion" in p.parts and within(m, "feeds.demo")
    ]
    assert found == []


def test_it_keeps_file_formats_from_importing_back_from_the_runs_that_use_them() -> None:
    """A run reads top to bottom: runs use formats, never the other way round (issue 34)."""
    found = [
        f"{p.relative_to(ROOT)}: {m}"
        for p, m in imports("feeds")
        if "formats" in p.parts and within(m, "feeds.runs")
    ]
    assert found == []


def test_the_layer_check_sees_imports() -> None:
    """The checks above would pass on a parser that finds nothing: they find known imports."""
    modules = {m for p, m in imports("feeds") if p.name == "window.py"}
    assert {"integrations.models", "feeds.runs.ledger", "feeds.formats"} <= modules


def test_no_test_module_imports_another_test_modules_helpers() -> None:
    """Helpers two test modules share live in tests/support/ (or in a cloud's test folder), not
    in one of them: importing a test module runs its tests' collection twice and hides what
    the helper belongs to (issue 34)."""
    found = {
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imports("tests")
        if within(module, "tests") and module.rpartition(".")[2].startswith("test_")
    }
    assert found == set()


def test_shared_test_helpers_import_no_cloud_sdk() -> None:
    """What tests share (tests/support/) is cloud-neutral: a cloud's credentials, answers and
    stand-in helpers live in its test folder (tests/integrations/destinations/<kind>/), found
    by kind or imported from there (issue 34)."""
    from integrations.destinations import REGISTRY

    sdks = {sdk for cls in REGISTRY.values() for sdk in cls.sdk_modules}
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path, module in imports("tests/support")
        if any(within(module, sdk) for sdk in sdks)
    ]
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
