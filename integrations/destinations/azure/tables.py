"""How query engines name an Iceberg table in a container: Blob's https form, ADLS Gen2's abfss
form, or a stand-in endpoint's path-style https://host/account/container/…."""

from __future__ import annotations

from urllib.parse import urlparse

from ..engines import QueryEngines, TablePlace


class ContainerPlace(TablePlace):
    def url(self, scheme: str) -> str:
        host = f"{self.account}.blob.core.windows.net/{self.bucket}"
        if scheme == "abfss":
            host = f"{self.bucket}@{self.account}.dfs.core.windows.net"
        return f"{scheme}://{host}/{self.path}".rstrip("/")


def place_of(location: str) -> TablePlace | None:
    """Parses abfss://container@account.dfs…, https://account.blob…/container/… and an
    endpoint's path-style https://host/account/container/…."""
    parsed = urlparse(location)
    path = parsed.path.strip("/")
    if parsed.scheme == "abfss":
        container, _, host = parsed.netloc.partition("@")
        return ContainerPlace("azure", container, host.split(".")[0], path)
    if parsed.scheme not in ("https", "http"):
        return None
    if parsed.netloc.endswith(".core.windows.net"):
        container, _, rest = path.partition("/")
        return ContainerPlace("azure", container, parsed.netloc.split(".")[0], rest)
    account, _, rest = path.partition("/")
    container, _, rest = rest.partition("/")
    return ContainerPlace("azure", container, account, rest)


ENGINES = QueryEngines(
    place=place_of,
    file_io="org.apache.iceberg.azure.adlsv2.ADLSFileIO",
    hadoop_scheme="abfss",
    snowflake_provider="AZURE",
    snowflake_scheme="azure",
    snowflake_access="AZURE_TENANT_ID = '<your Azure tenant ID>'",
    # BigQuery names Azure objects azure://account.blob.core.windows.net/container/…
    bigquery_scheme="azure",
)
