"""Copy-paste queries of one Iceberg table for the integration page: DuckDB, Spark, Snowflake and
BigQuery, each reading the bucket with the engine's own credentials (the catalog vends none)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from django.template.loader import render_to_string

from ..models import IcebergTable
from .names import namespace_of, table_name


@dataclass(frozen=True)
class Place:
    """Where the table lives, in the forms the engines name it."""

    cloud: str  # "s3", "gcs" or "azure"
    bucket: str  # the bucket, or the Azure container
    account: str  # the Azure storage account ("" elsewhere)
    path: str  # the table's folder inside the bucket, no slash at either end

    def url(self, scheme: str) -> str:
        """The table folder as `scheme://…` (Hadoop's s3a, Snowflake's gcs and azure, …)."""
        if self.cloud == "azure":
            host = f"{self.account}.blob.core.windows.net/{self.bucket}"
            if scheme == "abfss":
                host = f"{self.bucket}@{self.account}.dfs.core.windows.net"
            return f"{scheme}://{host}/{self.path}".rstrip("/")
        return f"{scheme}://{self.bucket}/{self.path}".rstrip("/")


def place_of(location: str) -> Place:
    """Parses s3://, gs://, abfss://container@account.dfs…, https://account.blob…/container/…
    and an Azure endpoint's path-style https://host/account/container/…."""
    parsed = urlparse(location)
    path = parsed.path.strip("/")
    if parsed.scheme == "abfss":
        container, _, host = parsed.netloc.partition("@")
        return Place("azure", container, host.split(".")[0], path)
    if parsed.scheme in ("https", "http"):
        if parsed.netloc.endswith(".core.windows.net"):
            container, _, rest = path.partition("/")
            return Place("azure", container, parsed.netloc.split(".")[0], rest)
        account, _, rest = path.partition("/")
        container, _, rest = rest.partition("/")
        return Place("azure", container, account, rest)
    return Place("gcs" if parsed.scheme == "gs" else "s3", parsed.netloc, "", path)


def _table_folder(row: IcebergTable) -> str:
    folder = row.metadata.get("location") if isinstance(row.metadata, dict) else None
    return str(folder or row.metadata_location.rsplit("/metadata/", 1)[0])


FILE_IO = {
    "s3": "org.apache.iceberg.aws.s3.S3FileIO",
    "gcs": "org.apache.iceberg.gcp.gcs.GCSFileIO",
    "azure": "org.apache.iceberg.azure.adlsv2.ADLSFileIO",
}
HADOOP_SCHEME = {"s3": "s3a", "gcs": "gs", "azure": "abfss"}
# Snowflake's storage provider, its URL scheme, and how it is given access to the bucket.
SNOWFLAKE = {
    "s3": ("S3", "s3", "STORAGE_AWS_ROLE_ARN = '<a role of yours that reads the bucket>'"),
    "gcs": ("GCS", "gcs", "-- then grant the volume's service account read access"),
    "azure": ("AZURE", "azure", "AZURE_TENANT_ID = '<your Azure tenant ID>'"),
}


def snippets(row: IcebergTable, catalog_uri: str) -> dict[str, str]:
    """Each engine's snippet (templates/feeds/iceberg/), by the name the page shows it under."""
    place = place_of(_table_folder(row))
    name = table_name(row.integration.feed, row.integration_id)
    common = {
        "name": name,
        "qualified": f"{namespace_of(row.tenant)}.{name}",
        "catalog_uri": catalog_uri,
        "metadata_location": row.metadata_location,
    }
    provider, scheme, access = SNOWFLAKE[place.cloud]
    # BigQuery names Azure objects azure://account.blob.core.windows.net/container/…
    metadata_uri = row.metadata_location
    if place.cloud == "azure":
        metadata_uri = place_of(row.metadata_location).url("azure")
    contexts: dict[str, tuple[str, dict[str, object]]] = {
        "DuckDB": ("duckdb.sql", {}),
        "Spark": ("spark.sh", _spark(place)),
        "Snowflake": ("snowflake.sql", {
            "provider": provider, "base_url": place.url(scheme), "access": access,
            "metadata_file": "metadata/" + row.metadata_location.rsplit("/metadata/", 1)[-1],
        }),
        "BigQuery": ("bigquery.sql", {"uri": metadata_uri, "omni": place.cloud != "gcs"}),
    }  # fmt: skip
    return {
        engine: render_to_string(f"feeds/iceberg/{template}", {**common, **extra}).strip()
        for engine, (template, extra) in contexts.items()
    }


def _spark(place: Place) -> dict[str, object]:
    """A Hadoop catalog needs <warehouse>/<namespace>/<table>; nearer the bucket's root, the
    folder is loaded as a path."""
    scheme = HADOOP_SCHEME[place.cloud]
    folders = place.path.split("/") if place.path else []
    context: dict[str, object] = {"file_io": FILE_IO[place.cloud], "folder": place.url(scheme)}
    if len(folders) >= 2:
        parent = Place(place.cloud, place.bucket, place.account, "/".join(folders[:-2]))
        context["hadoop"] = {
            "warehouse": parent.url(scheme), "namespace": folders[-2], "table": folders[-1]
        }  # fmt: skip
    return context
