"""How query engines name a cloud's Iceberg tables, for the copy-paste queries of the Iceberg
page: each cloud declares its `QueryEngines` in its folder, so the page names no cloud."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class TablePlace:
    """Where a table lives, in the parts the engines name it by."""

    cloud: str  # the destination's kind
    bucket: str  # the bucket or container
    account: str  # the account holding it where the cloud has one ("" elsewhere)
    path: str  # the table's folder inside the bucket, no slash at either end

    def url(self, scheme: str) -> str:
        """The table folder as `scheme://…` (Hadoop's s3a, Snowflake's gcs, …)."""
        return f"{scheme}://{self.bucket}/{self.path}".rstrip("/")


def bucket_place(kind: str, scheme: str) -> Callable[[str], TablePlace | None]:
    """A parser of `scheme://bucket/path` locations, the form most clouds write."""

    def parse(location: str) -> TablePlace | None:
        parsed = urlparse(location)
        if parsed.scheme != scheme:
            return None
        return TablePlace(kind, parsed.netloc, "", parsed.path.strip("/"))

    return parse


@dataclass(frozen=True)
class QueryEngines:
    """What DuckDB, Spark, Snowflake and BigQuery need to read a table of the cloud with their
    own credentials."""

    # A table location this cloud writes, parsed; None when it is not one of this cloud's.
    place: Callable[[str], TablePlace | None]
    file_io: str  # Iceberg's FileIO class (Spark's REST catalog)
    hadoop_scheme: str  # Hadoop's file system scheme (Spark's Hadoop catalog)
    snowflake_provider: str  # Snowflake's STORAGE_PROVIDER
    snowflake_scheme: str  # the scheme of Snowflake's STORAGE_BASE_URL
    snowflake_access: str  # how Snowflake's external volume is given access to the bucket
    bigquery_scheme: str = ""  # the scheme BigQuery names metadata files by; "": as written
    bigquery_omni: bool = True  # BigQuery reads it through an Omni connection
