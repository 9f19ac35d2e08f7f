"""The Verify steps only S3 has: a multipart round trip (large exports upload in parts, and a
missing AbortMultipartUpload or KMS right shows only there) and seed 004's "Checking for manifest
files in GLACIER"; S3 also has the manifest grant check its object ACLs allow."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..base import DestinationError

MULTIPART_PART_BYTES = 5 * 1024 * 1024
COLD_CLASSES = ("GLACIER", "DEEP_ARCHIVE")


def steps(stage: str, checks: Any) -> list[tuple[str, Callable[[], str]]]:
    if stage == "written":
        return [("Multipart upload (5 MiB part, complete and abort)", lambda: multipart(checks))]
    if stage == "manifests":
        return [
            ("Checking for manifest files in GLACIER", lambda: glacier(checks)),
            ("Checking meta-information access on manifest files", checks.manifest_acls),
        ]
    return []


def multipart(checks: Any) -> str:
    key = checks.test_key(checks.prefixes[0], "multipart")
    checks.written[key] = ""
    checks.conn.multipart_round_trip(key, os.urandom(MULTIPART_PART_BYTES))
    return "Completed one multipart upload and aborted another."


def glacier(checks: Any) -> str:
    frozen = [i.key for i in checks.existing_manifests if i.storage_class in COLD_CLASSES]
    if frozen:
        raise DestinationError("ManifestInGlacier", f"{', '.join(frozen[:3])}.", permanent=True)
    return "No manifest outside archive/ is in GLACIER."
