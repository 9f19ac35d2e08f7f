"""What one run delivered, for its page: each object's key, full URI, size, MD5 and rows, and the
manifest it wrote, all from the run's own record (no request to the tenant's storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from integrations.catalog import FeedKind, file_format
from integrations.models import Integration
from integrations.paths import join_key

from ..formats import writer_class
from ..models import ExportRun
from ..runs import manifests


@dataclass(frozen=True)
class RunObject:
    """One object a run wrote: `rows` is None where the run's rows span several files."""

    key: str
    uri: str
    bytes: int
    md5: str
    rows: int | None


@dataclass(frozen=True)
class Manifest:
    key: str
    uri: str
    document: str  # pretty JSON; empty when the run did not finish


def run_objects(run: ExportRun, integration: Integration) -> list[RunObject]:
    """The data files, with the URI a user copies (s3://, gs:// or the blob's https URL)."""
    destination = integration.destination_class
    files = run.files or []
    found = []
    for file in files:
        key = join_key(run.path, file["name"])
        rows = file.get("rows", run.rows if len(files) == 1 else None)
        uri = destination.object_url(run.destination, key) if run.destination else ""
        found.append(RunObject(key, uri, int(file["bytes"]), str(file["md5"]), rows))
    return found


def run_manifest(run: ExportRun, integration: Integration) -> Manifest | None:
    """The manifest's key and URI; a log-level hour's content as written, once it succeeded.

    The document is rebuilt by the function the export wrote it with, from the run's hour,
    processing time, path and files; its feed_properties follow the integration's format."""
    if not run.manifest:
        return None
    key = join_key(run.manifest)
    uri = integration.destination_class.object_url(run.destination, key) if run.destination else ""
    document = ""
    processed_on = run.processed_on
    succeeded = run.status == ExportRun.Status.SUCCEEDED and processed_on is not None
    if succeeded and processed_on and integration.feed_info.kind == FeedKind.LOG_LEVEL:
        data_format, compression = file_format(integration.config)
        body = manifests.document(
            integration.feed, int(integration.tenant.seat_id), run.window_start.astimezone(UTC),
            processed_on.astimezone(UTC), run.path, run.files,
            writer_class(data_format).feed_properties(compression),
        )  # fmt: skip
        document = body.decode()
    return Manifest(key, uri, document)
