"""`make bench`: end-to-end export, scheduler, page, ingestion and freshness figures."""
