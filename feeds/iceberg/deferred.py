"""Modules pyiceberg imports but an export never uses, loaded only when something does (issue
36): its YAML reader (strictyaml, for a `.pyiceberg.yaml` configuration file) and its parser of
row filters given as text (pyiceberg.expressions.parser, which loads pyparsing). Together ~5 MB
of every worker that exports an Iceberg table, measured on import.

Each stands in `sys.modules` as an empty module until an attribute of it is asked for, which
imports the real one (pyiceberg asks for none while it imports: it reads a configuration file
only if there is one, and parses text filters only when given one). The import system's own
questions (`__spec__`, `__path__`, …) are answered "none", so `import` takes the stand-in as
it is. Called before pyiceberg is imported (feeds/iceberg/__init__.py); a module already loaded
is left as it is."""

from __future__ import annotations

import importlib
import sys
import threading
import types
from typing import Any

DEFERRED = ("strictyaml", "pyiceberg.expressions.parser")
_loading = threading.RLock()  # a module loading may use another stand-in


class Deferred(types.ModuleType):
    """A module imported on its first use."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self._load(), name)

    def _load(self) -> types.ModuleType:
        with _loading:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            module = importlib.import_module(self.__name__)
            # What holds the stand-in (`import strictyaml` ran with it) finds the real names.
            self.__dict__.update(vars(module))
        return module


def defer_unused_modules() -> None:
    for name in DEFERRED:
        if name in sys.modules:
            continue
        stand_in = Deferred(name)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent:
            # `import a.b.c as d` takes c from a.b, which must be there (pyiceberg.expressions,
            # which pyiceberg.table imports anyway).
            setattr(importlib.import_module(parent), child, stand_in)
