"""One form per destination kind (in the cloud's folder), sharing the feed fields and rules of
base.py; each destination names its form."""

from __future__ import annotations

from django.utils.module_loading import import_string

from ..destinations import REGISTRY
from .base import IntegrationForm

FORMS: dict[str, type[IntegrationForm]] = {
    kind: import_string(destination.form) for kind, destination in REGISTRY.items()
}


def form_class(kind: str) -> type[IntegrationForm]:
    return FORMS[kind]
