"""What Verify tells the admin to fix: the cloud's own hint for an error code first (its
`Destination.hints`), then the hints of the checks every cloud runs."""

from __future__ import annotations

from ..destinations.base import DestinationError
from ..models import Integration

GENERIC_HINTS = {
    "ManualFolderObject": "Delete the manually created folder object at this path: objects "
    "created by hand have other ACLs and can deny ExportHub access. ExportHub creates what it "
    "needs.",
    "ManifestAclDenied": "Do not revoke object-level access on non-archived manifests: ExportHub "
    "must be able to read their ACL.",
    "ManifestGrantMissing": "Every non-archived manifest must grant ExportHub's identity full "
    "control, as the manifests ExportHub writes do: restore that grant, or delete manifests that "
    "were copied in by hand.",
    "PathsInUse": "Choose another Directory, Manifest path or Feed path: two exports writing to "
    "the same place would overwrite each other's files.",
    "ChecksumMismatch": "The object read back differs from what was written: something between "
    "ExportHub and the storage changes objects.",
    "ListingIncomplete": "A new object was missing from the listing of its prefix: check the "
    "ListBucket permission and its prefix condition.",
    "RenameIncomplete": "The renamed object did not appear, or the original remained.",
    "DeleteIncomplete": "A test object could not be removed; delete exporthub-verify-* objects.",
}
TRANSIENT_HINT = "A temporary problem at the provider; Verify again in a few minutes."


def hint_for(integration: Integration, error: DestinationError) -> str:
    hints = integration.destination_class.hints
    if error.code in hints:
        return hints[error.code]
    if error.code in GENERIC_HINTS:
        return GENERIC_HINTS[error.code]
    return hints.get("*", "") if error.permanent else TRANSIENT_HINT
