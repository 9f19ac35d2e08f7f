"""The read-only Apache Iceberg REST catalog (`/iceberg/v1/…`): each tenant's Iceberg tables,
served from the `IcebergTable` rows the exports write, never from the customer's bucket."""
