"""How query engines name an Iceberg table in a container (the Iceberg page's queries)."""

from __future__ import annotations

from integrations.destinations.azure.tables import place_of


def test_it_reads_an_azure_endpoints_path_style_location() -> None:
    place = place_of("https://127.0.0.1:10000/devstore/lake/t/clicks")
    assert place is not None
    assert (place.cloud, place.account, place.bucket, place.path) == (
        "azure", "devstore", "lake", "t/clicks"
    )  # fmt: skip
