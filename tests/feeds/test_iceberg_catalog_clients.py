"""pyiceberg's own REST client attached to ExportHub's catalog on a live server: a tenant's key
lists its namespace and tables and loads each table as the export committed it (schema,
snapshots, rows); another tenant's key sees neither (issue 36)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError, UnauthorizedError

from exporthub.tenancy.models import ApiKey, Role, Tenant
from tests.support.iceberg_tables import iceberg_integration, rows, store, write_table

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def connect(live_server: Any) -> Iterator[Callable[..., RestCatalog]]:
    """pyiceberg's REST client on the live server with a key (or none); each is closed after the
    test, so no kept-alive connection outlives the server."""
    opened: list[RestCatalog] = []

    def open_catalog(key: str | None, **properties: str) -> RestCatalog:
        if key is not None:
            properties["token"] = key
        # By address: an earlier test of the process may have made "localhost" a tenant's host,
        # whose connections the outbound guard checks (exporthub/outbound/sockets.py).
        base = live_server.url.replace("//localhost:", "//127.0.0.1:")
        catalog = RestCatalog("exporthub", uri=f"{base}/iceberg", **properties)
        opened.append(catalog)
        return catalog

    yield open_catalog
    for catalog in opened:
        catalog.close()
    # A client refused in its constructor is never returned: collecting it closes its
    # connection while the server still runs (the server's thread would otherwise close it
    # after the server has given back the test's database connection).
    gc.collect()


@pytest.fixture
def lake(tmp_path: Path, tenant: Tenant, other_tenant: Tenant) -> dict[str, Any]:
    """Two Iceberg integrations of `tenant` (two and one commits) and one of `other_tenant`."""
    clicks = iceberg_integration(tenant, "clicks", name="Clicks lake")
    conversions = iceberg_integration(tenant, "conversions", name="Conversions lake")
    theirs = iceberg_integration(other_tenant, "clicks", name="Globex lake")
    written = {
        "clicks": write_table(tmp_path, "clicks", [rows(10, 7, 30), rows(11, 8, 20)]),
        "conversions": write_table(tmp_path, "conversions", [rows(10, 9, 5)]),
        "theirs": write_table(tmp_path, "theirs", [rows(12, 1, 3)]),
    }
    store(clicks, written["clicks"])
    store(conversions, written["conversions"])
    store(theirs, written["theirs"])
    return {"integrations": (clicks, conversions, theirs), "tables": written}


def test_it_serves_the_tenants_tables_to_pyicebergs_rest_client(
    connect: Callable[..., RestCatalog], tenant: Tenant, lake: dict[str, Any]
) -> None:
    clicks, conversions, _ = lake["integrations"]
    key = ApiKey.issue(tenant, Role.VIEWER, "dashboards")[1]  # a Viewer key suffices
    catalog = connect(key)

    assert catalog.list_namespaces() == [("acme_ads",)]
    assert catalog.list_namespaces("acme_ads") == []
    assert catalog.namespace_exists("acme_ads")
    assert sorted(catalog.list_tables("acme_ads")) == [
        ("acme_ads", f"clicks_{clicks.pk}"),
        ("acme_ads", f"conversions_{conversions.pk}"),
    ]
    assert catalog.table_exists(f"acme_ads.clicks_{clicks.pk}")

    loaded = catalog.load_table(f"acme_ads.clicks_{clicks.pk}")
    written = lake["tables"]["clicks"]
    assert loaded.metadata_location == written.metadata_location
    assert loaded.schema() == written.schema()
    assert loaded.spec() == written.spec()
    assert [s.snapshot_id for s in loaded.snapshots()] == [
        s.snapshot_id for s in written.snapshots()
    ]
    assert len(loaded.snapshots()) == 2
    # The files are on local disk: pyiceberg scans them from the metadata the catalog gave.
    scanned = loaded.scan().to_arrow().to_pylist()
    assert sorted((r["advertiser_id"], r["event_time"]) for r in scanned) == sorted(
        (r["advertiser_id"], r["event_time"]) for r in rows(10, 7, 30) + rows(11, 8, 20)
    )


def test_it_pages_the_tables_when_the_client_asks_for_pages(
    connect: Callable[..., RestCatalog], tenant: Tenant, lake: dict[str, Any]
) -> None:
    clicks, conversions, _ = lake["integrations"]
    key = ApiKey.issue(tenant, Role.ADMIN, "spark")[1]
    catalog = connect(key, **{"rest-page-size": "1"})
    assert catalog.list_tables("acme_ads") == [
        ("acme_ads", f"clicks_{clicks.pk}"),
        ("acme_ads", f"conversions_{conversions.pk}"),
    ]


def test_another_tenants_key_sees_only_its_own_namespace(
    connect: Callable[..., RestCatalog], other_tenant: Tenant, lake: dict[str, Any]
) -> None:
    clicks, _, theirs = lake["integrations"]
    catalog = connect(ApiKey.issue(other_tenant, Role.ADMIN, "globex")[1])

    assert catalog.list_namespaces() == [("globex_media",)]
    assert catalog.list_tables("globex_media") == [("globex_media", f"clicks_{theirs.pk}")]
    assert not catalog.namespace_exists("acme_ads")
    with pytest.raises(NoSuchNamespaceError):
        catalog.list_tables("acme_ads")
    with pytest.raises(NoSuchTableError):
        catalog.load_table(f"acme_ads.clicks_{clicks.pk}")
    # Its own namespace does not open acme's table either.
    with pytest.raises(NoSuchTableError):
        catalog.load_table(f"globex_media.clicks_{clicks.pk}")


def test_it_refuses_a_client_without_a_valid_key(
    connect: Callable[..., RestCatalog], lake: dict[str, Any]
) -> None:
    with pytest.raises(UnauthorizedError):
        connect(None)
    with pytest.raises(UnauthorizedError):
        connect("ehk_not-a-key")


def test_the_client_is_told_the_catalog_takes_no_writes(
    connect: Callable[..., RestCatalog], tenant: Tenant, lake: dict[str, Any]
) -> None:
    clicks = lake["integrations"][0]
    catalog = connect(ApiKey.issue(tenant, Role.ADMIN, "ci")[1])
    # The config lists only the read routes, so the client refuses before sending anything.
    with pytest.raises(NotImplementedError):
        catalog.drop_table(f"acme_ads.clicks_{clicks.pk}")
    with pytest.raises(NotImplementedError):
        catalog.create_namespace("scratch")
    assert catalog.table_exists(f"acme_ads.clicks_{clicks.pk}")
