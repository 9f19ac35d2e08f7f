"""The integration page's Iceberg section: the table's current metadata file, its name in the
REST catalog and the copy-paste queries, from the IcebergTable row (never the bucket)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from integrations.models import Integration
from integrations.web.pages import Section

from ..iceberg_catalog.names import namespace_of, table_name
from ..iceberg_catalog.snippets import snippets
from ..models import IcebergTable


def catalog_uri(request: HttpRequest) -> str:
    """What engines are given as the catalog's URI (they add `/v1/config` and so on)."""
    return request.build_absolute_uri(reverse("iceberg-config")).removesuffix("/v1/config")


def iceberg_section(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    if integration.config.get("format") != "iceberg":
        return {"iceberg": None}
    row = (
        IcebergTable.objects.filter(integration=integration, tenant=integration.tenant)
        .select_related("integration", "tenant")
        .first()
    )
    uri = catalog_uri(request)
    return {
        "iceberg": {
            "table": row,
            "catalog_uri": uri,
            "namespace": namespace_of(integration.tenant),
            "name": table_name(integration.feed, integration.pk),
            "snippets": snippets(row, uri) if row else {},
        }
    }


ICEBERG = Section("feeds/iceberg.html", iceberg_section)
