"""One form per destination kind, sharing the feed fields and rules of base.py: a cloud's form is
the IntegrationForm in its folder's form.py that names the cloud (`destination`). Forms import the
registry, never the other way round; this module is not the package's `__init__`, which a
cloud's form.py runs when it imports the contract."""

from __future__ import annotations

from importlib import import_module

from ..destinations import REGISTRY
from ..destinations.base import Destination
from .base import IntegrationForm


def _form_of(destination: type[Destination]) -> type[IntegrationForm]:
    module = import_module(destination.__module__.rpartition(".")[0] + ".form")
    return next(
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, IntegrationForm)
        and getattr(value, "destination", None) is destination
    )


FORMS: dict[str, type[IntegrationForm]] = {
    kind: _form_of(destination) for kind, destination in REGISTRY.items()
}


def form_class(kind: str) -> type[IntegrationForm]:
    return FORMS[kind]
