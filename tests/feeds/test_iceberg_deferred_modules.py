"""What exporting an Iceberg table loads into a worker (issue 36): pyiceberg's YAML reader
(strictyaml, for a `.pyiceberg.yaml` we do not have) and its row-filter parser (pyparsing, for
filters given as text, which we never give) stay unloaded until something uses them, and then
work as if they had been imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The real modules loaded (a stand-in of feeds/iceberg/deferred.py is not).
LOADED = """
import sys, types
real = [m for m in ("strictyaml", "pyparsing") if type(sys.modules.get(m)) is types.ModuleType]
print(sorted(real))
"""


def _run(code: str, **env: str) -> list[str]:
    """`code` in a fresh interpreter with Django set up; its printed lines, the last one the
    real modules of the two loaded (LOADED)."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "exporthub.test_settings", **env}
    environment["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", "import django\ndjango.setup()\n" + code + LOADED],
        env=environment, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()


def test_exporting_a_table_leaves_the_yaml_reader_and_the_filter_parser_unloaded() -> None:
    # Every module the upkeep and the export use (the upkeep's first: pyiceberg.table is the
    # first module it imports), a data file written and its manifest entry made: what a worker
    # exporting an Iceberg table loads.
    code = """
import io
from feeds.iceberg import maintenance, export
from pyiceberg.typedef import Record
from feeds.iceberg.writer import IcebergParquetWriter

writer = IcebergParquetWriter("standard_feed", io.BytesIO(), "ZSTD")
writer.close()
writer.data_file("s3://b/t/data/x.parquet", 1, Record(1), 0)
"""
    assert _run(code)[-1] == "[]"


def test_the_filter_parser_loads_when_a_filter_is_given_as_text() -> None:
    code = """
from feeds.iceberg import export
from pyiceberg.table import _parse_row_filter
print(repr(_parse_row_filter("event_type = 'imp'")))
"""
    lines = _run(code)
    assert lines[-2] == "EqualTo(term=Reference(name='event_type'), literal=literal('imp'))"
    assert lines[-1] == "['pyparsing']"


def test_a_pyiceberg_configuration_file_is_still_read(tmp_path: Path) -> None:
    (tmp_path / ".pyiceberg.yaml").write_text("max-workers: 3\n")
    code = """
from feeds.iceberg import export
from pyiceberg.utils.config import Config
print(Config().get_int("max-workers"))
"""
    assert _run(code, PYICEBERG_HOME=str(tmp_path)) == ["3", "['strictyaml']"]
