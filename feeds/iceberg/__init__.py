"""The `iceberg` format: an integration's exports as one Apache Iceberg (format v2) table in the
customer's bucket, written only through the destination `Connection` (fileio), committed by our
own catalog whose source of truth for "current" is the IcebergTable row (commits).

- schema: the feed's published columns as an Iceberg schema with stable field ids, and the
  partition spec (the event hour, or a raw feed's window start);
- writer: Parquet data files in bounded row groups, with Iceberg field ids and statistics;
- fileio: pyiceberg's FileIO over `Connection`;
- commits: the catalog (row lock, vN.metadata.json, version-hint.text, then the row);
- export: a raw window or a log-level hour as one commit replacing its partition;
- maintenance: expiring old snapshots and removing the files only they referenced;
- deferred: pyiceberg's modules an export never uses, left unloaded until something does.
"""

from .deferred import defer_unused_modules

defer_unused_modules()  # before any module of this package imports pyiceberg
