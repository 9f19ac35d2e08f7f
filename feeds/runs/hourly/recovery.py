"""Recovering a log-level run whose worker died after publishing the hour."""

from __future__ import annotations

from integrations.destinations.base import Connection
from integrations.models import Integration
from integrations.paths import join_key

from ...models import ExportRun
from .. import ledger, manifests
from ..hour_counts import count_hour
from .hour import Hour


def finished_attempt(
    run: ExportRun, integration: Integration, conn: Connection
) -> ledger.Outcome | None:
    """The outcome of an earlier attempt of this run that completed its manifest, if any.

    A worker killed after the final manifest was written but before the run was recorded as
    succeeded left a complete export; writing the hour again would give users a second, equal
    manifest. Its rows are those the hour held at the attempt's data cutoff."""
    if run.processed_on is None or run.data_cutoff is None:
        return None
    hour = (integration.feed, integration.tenant_id, run.window_start, run.window_end)
    manifest_key = Hour(run, integration, run.processed_on, run.data_cutoff).manifest_key
    if manifests.found(conn, manifest_key) is None:
        return None
    document = manifests.parse(conn.read(manifest_key))
    if document is None:  # not what we wrote: export the hour again, under a new name
        return None
    files = []
    for entry in document["files"]:
        info = manifests.found(conn, join_key(document["path"], entry["name"]))
        if info is None:  # deleted by someone since: export the hour again
            return None
        files.append({"name": entry["name"], "bytes": info.size, "md5": entry["checksum"]})
    # Killed, or refused, before step 4 removed it. Not an error to swallow: the run is
    # recorded only once it is gone (else retried), so it never stays beside the `.json`.
    manifests.retire(conn, manifest_key, published=True)
    return ledger.Outcome(
        rows=count_hour(*hour, run.data_cutoff, filters=run.filters or []),
        bytes=sum(f["bytes"] for f in files),
        files=files,
        path=document["path"],
        manifest=manifest_key,
        processed_on=run.processed_on,
        data_cutoff=run.data_cutoff,
    )
