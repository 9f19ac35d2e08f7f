"""What Verify tells the admin names the admin's own cloud: the checks every cloud runs speak of
no cloud, and each cloud's hint says how to fix it there (issue 34)."""

from __future__ import annotations

import re

from integrations.destinations import REGISTRY
from integrations.destinations.base import DestinationError
from integrations.models import Integration
from integrations.verify.hints import GENERIC_HINTS, hint_for


def _hint(kind: str, code: str) -> str:
    return hint_for(Integration(destination=kind), DestinationError(code, "", permanent=True))


def test_it_names_no_cloud_in_the_hints_every_cloud_shares() -> None:
    names = [cls.label for cls in REGISTRY.values()] + [rf"\b{kind}\b" for kind in REGISTRY]
    found = [
        (code, name)
        for code, hint in GENERIC_HINTS.items()
        for name in names
        if re.search(name, hint, re.IGNORECASE)
    ]
    assert found == []


def test_it_tells_a_gcs_admin_of_owner_not_of_s3s_commands() -> None:
    denied, missing = _hint("gcs", "ManifestAclDenied"), _hint("gcs", "ManifestGrantMissing")
    assert "aws s3api" not in denied and "FULL_CONTROL" not in missing
    assert "OWNER" in missing


def test_it_tells_an_s3_admin_of_get_object_acl_and_full_control() -> None:
    assert "aws s3api get-object-acl" in _hint("s3", "ManifestAclDenied")
    assert "FULL_CONTROL" in _hint("s3", "ManifestGrantMissing")
