"""Events in: the ingestion API's parsing, validation and storing (COPY on PostgreSQL)."""
