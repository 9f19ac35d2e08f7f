"""Copy-paste queries of one Iceberg table for the integration page: DuckDB, Spark, Snowflake and
BigQuery, each reading the bucket with the engine's own credentials (the catalog vends none).
How each engine names the bucket is the cloud's (`Destination.query_engines`)."""

from __future__ import annotations

from dataclasses import replace

from django.template.loader import render_to_string

from integrations.destinations import REGISTRY
from integrations.destinations.engines import QueryEngines, TablePlace

from ..models import IcebergTable
from .names import namespace_of, table_name


def place_of(location: str) -> TablePlace | None:
    """The location parsed by the registered cloud that writes such locations; None if none."""
    for destination in REGISTRY.values():
        engines = destination.query_engines
        if engines is not None and (place := engines.place(location)) is not None:
            return place
    return None


def _table_folder(row: IcebergTable) -> str:
    folder = row.metadata.get("location") if isinstance(row.metadata, dict) else None
    return str(folder or row.metadata_location.rsplit("/metadata/", 1)[0])


def snippets(row: IcebergTable, catalog_uri: str) -> dict[str, str]:
    """Each engine's snippet (templates/feeds/iceberg/), by the name the page shows it under;
    DuckDB's alone where no cloud names the table's place."""
    name = table_name(row.integration.feed, row.integration_id)
    common = {
        "name": name,
        "qualified": f"{namespace_of(row.tenant)}.{name}",
        "catalog_uri": catalog_uri,
        "metadata_location": row.metadata_location,
    }
    contexts: dict[str, tuple[str, dict[str, object]]] = {"DuckDB": ("duckdb.sql", {})}
    place = place_of(_table_folder(row))
    if place is not None and (engines := REGISTRY[place.cloud].query_engines) is not None:
        metadata_uri = row.metadata_location
        if engines.bigquery_scheme and (written := engines.place(metadata_uri)) is not None:
            metadata_uri = written.url(engines.bigquery_scheme)
        contexts |= {
            "Spark": ("spark.sh", _spark(place, engines)),
            "Snowflake": ("snowflake.sql", {
                "provider": engines.snowflake_provider,
                "base_url": place.url(engines.snowflake_scheme),
                "access": engines.snowflake_access,
                "metadata_file": "metadata/" + row.metadata_location.rsplit("/metadata/", 1)[-1],
            }),
            "BigQuery": ("bigquery.sql", {"uri": metadata_uri, "omni": engines.bigquery_omni}),
        }  # fmt: skip
    return {
        engine: render_to_string(f"feeds/iceberg/{template}", {**common, **extra}).strip()
        for engine, (template, extra) in contexts.items()
    }


def _spark(place: TablePlace, engines: QueryEngines) -> dict[str, object]:
    """A Hadoop catalog needs <warehouse>/<namespace>/<table>; nearer the bucket's root, the
    folder is loaded as a path."""
    scheme = engines.hadoop_scheme
    folders = place.path.split("/") if place.path else []
    context: dict[str, object] = {"file_io": engines.file_io, "folder": place.url(scheme)}
    if len(folders) >= 2:
        parent = replace(place, path="/".join(folders[:-2]))
        context["hadoop"] = {
            "warehouse": parent.url(scheme), "namespace": folders[-2], "table": folders[-1]
        }  # fmt: skip
    return context
