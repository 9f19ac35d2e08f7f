"""One form per destination kind, sharing the feed fields and rules of base.py."""

from __future__ import annotations

from . import gcs, s3
from .azure import AzureIntegrationForm
from .base import IntegrationForm
from .gcs import GCSIntegrationForm
from .s3 import S3IntegrationForm

FORMS: dict[str, type[IntegrationForm]] = {
    form.destination_kind: form
    for form in (S3IntegrationForm, GCSIntegrationForm, AzureIntegrationForm)
}


def form_class(kind: str) -> type[IntegrationForm]:
    return FORMS[kind]


AUTH_MODE_LABELS = {**s3.AUTH_MODES, **gcs.AUTH_MODES}
