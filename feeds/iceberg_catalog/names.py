"""How tenants and integrations are named in the catalog: one namespace per tenant, one table per
Iceberg integration, both plain SQL identifiers that never change."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from exporthub.tenancy.models import Tenant

from ..models import IcebergTable

# A table's name exactly as table_name() writes it: ASCII digits without a leading zero, short
# enough for a bigint (str.isdigit() also takes "²" and "٣", and int() past 4300 digits fails).
TABLE_NAME_RE = re.compile(r"(?P<feed>[a-z0-9_]+)_(?P<number>[1-9][0-9]{0,17})")


def namespace_of(tenant: Tenant) -> str:
    """The tenant's slug with `_` for `-` (a slug never changes; engines then need no quotes)."""
    return tenant.slug.replace("-", "_")


def table_name(feed: str, integration_id: int) -> str:
    """`<feed>_<integration id>`: stable when the integration is renamed, and unique."""
    return f"{feed}_{integration_id}"


def tables_of(tenant: Tenant) -> QuerySet[IcebergTable]:
    """The tenant's Iceberg tables, in a fixed order (pages of the list follow it)."""
    return (
        IcebergTable.objects.filter(tenant=tenant, integration__tenant=tenant)
        .select_related("integration")
        .order_by("integration_id")
    )


def find_table(tenant: Tenant, name: str) -> IcebergTable | None:
    """The tenant's table of that name, if any (another tenant's is never found)."""
    found = TABLE_NAME_RE.fullmatch(name)
    if found is None:
        return None
    feed, number = found["feed"], int(found["number"])
    return tables_of(tenant).filter(integration_id=number, integration__feed=feed).first()
