"""The integration page's Iceberg section (format `iceberg`): where the table is and its current
metadata file, from the IcebergTable row (no request to the customer's bucket), and that the
manifest protocol is not used."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.models import Integration

from ..models import IcebergTable


def iceberg_section(request: HttpRequest, integration: Integration) -> dict[str, Any]:
    if integration.config.get("format") != "iceberg":
        return {"iceberg": None}
    row = IcebergTable.objects.filter(
        tenant_id=integration.tenant_id, integration_id=integration.pk
    ).first()
    metadata = row.metadata if row else {}
    return {
        "iceberg": {
            "table_path": integration.config.get("table_path", ""),
            "metadata_location": row.metadata_location if row else "",
            "committed_at": row.committed_at if row else None,
            "snapshots": len(metadata.get("snapshots", [])),
        }
    }
