"""How tenants and integrations are named in the catalog: one namespace per tenant, one table per
Iceberg integration, both plain SQL identifiers that never change."""

from __future__ import annotations

from django.db.models import QuerySet

from exporthub.tenancy.models import Tenant

from ..models import IcebergTable


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
    feed, _, number = name.rpartition("_")
    if not number.isdigit() or not feed:
        return None
    return tables_of(tenant).filter(integration_id=int(number), integration__feed=feed).first()
