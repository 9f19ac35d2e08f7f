"""What is defined once is named only there (issues 22 and 34): log-level feeds in the feed
registry, clouds in their folders, found through the destination registry by code, templates,
the long runs and the tests alike."""

from __future__ import annotations

import ast

from tests.support.source_tree import LAYERS, ROOT, imports, within


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
        for path, module in imports("reliability")
        if any(within(module, sdk) for sdk in sdks)
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


def test_no_test_outside_a_clouds_folder_lists_clouds_by_hand() -> None:
    """Tests that go over clouds take them from the registry (tests/support/clouds.py); a
    cloud's own tests live in its folder (issue 34). tests/test_layers.py's check that the
    registry holds the three built-in clouds is the one list."""
    from integrations.destinations import REGISTRY

    folders = ROOT / "tests" / "integrations" / "destinations"
    the_one_list = ROOT / "tests" / "test_layers.py"
    found = []
    for path in (ROOT / "tests").rglob("*.py"):
        if folders in path.parents or path == the_one_list:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.List | ast.Tuple | ast.Set) and len(node.elts) >= 2:
                values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                if len(values) == len(node.elts) and all(v in REGISTRY for v in values):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
