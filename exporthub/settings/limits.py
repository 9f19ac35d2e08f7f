"""What one tenant or key may ask for: request rates, request sizes, queued and concurrent work."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .core import env

# --- Throttles (DRF rates: "N/s", "N/min", "N/hour", "N/day"; empty: off) --------------------
# Per API key and per tenant (all its keys and its users' pages together), on ingestion and on
# the write actions (Verify, reprocess, backfill, webhook test); past them the answer is 429
# with Retry-After. Generous enough for demo traffic and the benchmarks (docs/operations.md).
THROTTLE_INGEST_RATE = env.str("THROTTLE_INGEST_RATE", default="600/min")
THROTTLE_TENANT_INGEST_RATE = env.str("THROTTLE_TENANT_INGEST_RATE", default="1200/min")
THROTTLE_WRITE_RATE = env.str("THROTTLE_WRITE_RATE", default="60/min")
THROTTLE_TENANT_WRITE_RATE = env.str("THROTTLE_TENANT_WRITE_RATE", default="120/min")
# The Iceberg REST catalog's reads (an engine asks for config, the namespace and each table it
# plans a query on): per key and per tenant, like the API's own throttles.
THROTTLE_CATALOG_RATE = env.str("THROTTLE_CATALOG_RATE", default="600/min")
THROTTLE_TENANT_CATALOG_RATE = env.str("THROTTLE_TENANT_CATALOG_RATE", default="1200/min")
# Largest ingestion request body; bigger batches answer 413.
INGEST_MAX_BYTES = env.int("INGEST_MAX_BYTES", default=16 * 1024 * 1024)

# Backfills and reprocessed hours one tenant may have waiting or running at once.
MAX_QUEUED_RUNS_PER_TENANT = env.int("MAX_QUEUED_RUNS_PER_TENANT", default=20)
# Integrations one tenant may have (each is work for every tick and worker).
MAX_INTEGRATIONS_PER_TENANT = env.int("MAX_INTEGRATIONS_PER_TENANT", default=100)
# Verifies and webhook deliveries one tenant may have in flight at once, on all workers together;
# the tenant's others wait their turn (docs/operations.md, "Work classes").
VERIFY_CONCURRENCY_PER_TENANT = env.int("VERIFY_CONCURRENCY_PER_TENANT", default=1)
NOTIFY_CONCURRENCY_PER_TENANT = env.int("NOTIFY_CONCURRENCY_PER_TENANT", default=2)
# Export runs and slices one tenant may have running at once, on all export workers together;
# its others wait for one of its places. Below the export processes (make run's two), so a
# tenant whose destinations hang leaves other tenants a worker (docs/operations.md).
EXPORT_WORKERS_PER_TENANT = env.int("EXPORT_WORKERS_PER_TENANT", default=1)
if min(VERIFY_CONCURRENCY_PER_TENANT, NOTIFY_CONCURRENCY_PER_TENANT, EXPORT_WORKERS_PER_TENANT) < 1:
    raise ImproperlyConfigured(
        "VERIFY_CONCURRENCY_PER_TENANT, NOTIFY_CONCURRENCY_PER_TENANT and "
        "EXPORT_WORKERS_PER_TENANT must be at least 1."
    )
