"""Seed 004's checks on existing manifests ("Checking for manifest files in GLACIER", "Checking
meta-information access on manifest files") judge every non-archived manifest of this
integration's own feed and seat, and no other: the seed lets other seats and feeds share the
manifest path, and Verify runs after every export failure, so judging their manifests could
deactivate a working export."""

from __future__ import annotations

import io
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant
from tests.integrations.destinations.gcs.emulator import GCSStandIn
from tests.integrations.destinations.s3.answers import record_requests
from tests.integrations.destinations.s3.standin import s3_bucket, s3_client
from tests.support.integrations import make_integration
from tests.support.verification import failed_step, verify

pytestmark = pytest.mark.django_db
ACL_STEP = "Checking meta-information access on manifest files"
FOREIGN_GRANT = f'id="{"f" * 64}"'  # another account's full control, not ExportHub's


def _ours(n: int) -> str:
    return f"manifests/standard_feed-998-2026112109-202611211{n:05d}.json"


def test_it_reads_the_acl_of_every_manifest_of_its_seat_and_feed_not_only_the_first_20(
    s3_env: str, tenant: Tenant, settings: Any
) -> None:
    """Only the 25th manifest lacks ExportHub's grant (Verify used to read the first 20)."""
    bucket, s3 = s3_bucket(s3_env), s3_client(s3_env)
    for n in range(24):
        s3.put_object(Bucket=bucket, Key=_ours(n), Body=b"{}")
    s3.put_object(Bucket=bucket, Key=_ours(24), Body=b"{}", GrantFullControl=FOREIGN_GRANT)
    step = failed_step(verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket)))
    assert (step["name"], step["code"]) == (ACL_STEP, "ManifestGrantMissing")
    assert _ours(24) in step["detail"]


def test_it_leaves_other_seats_and_feeds_manifests_in_a_shared_path_alone(
    s3_env: str, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another seat's and another feed's manifests, in GLACIER and without ExportHub's grant
    (their exports are not this one's), beside this seat's own good one."""
    bucket, s3 = s3_bucket(s3_env), s3_client(s3_env)
    s3.put_object(Bucket=bucket, Key=_ours(1), Body=b"{}")
    others = [
        "manifests/standard_feed-1234-2026112109-20261121100000.json",
        "manifests/standard_feed-99-2026112109-20261121100000.json-failed",
        "manifests/segment_feed-998-2026112109-20261121100000.json-processing",
        "manifests/notes-standard_feed-998.json",
    ]
    for key in others:
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}", GrantFullControl=FOREIGN_GRANT,
                      StorageClass="GLACIER")  # fmt: skip
    sent = record_requests(monkeypatch)
    verification = verify(make_integration(tenant, "s3", "standard_feed", bucket=bucket))
    assert verification.state == "passed", failed_step(verification)
    read = [params["Key"] for operation, params in sent if operation == "GetObjectAcl"]
    assert _ours(1) in read and not set(read) & set(others), read
    step = next(s for s in verification.steps if s["name"] == ACL_STEP)
    assert step["detail"] == "Read the ACL of 1 manifest(s); ExportHub has full control."


def test_on_gcs_it_asks_for_the_acl_of_its_own_manifests_only_and_all_of_them(
    gcs_env: GCSStandIn, tenant: Tenant
) -> None:
    from urllib.parse import quote

    from tests.integrations.destinations.gcs.standin import gcs_bucket, gcs_integration

    bucket = gcs_bucket(gcs_env)
    integration = gcs_integration(gcs_env, tenant, "standard_feed", bucket)
    conn = integration.connect()  # as another export of the same bucket writes them
    ours = [_ours(n) for n in range(25)]
    others = [
        "manifests/standard_feed-1234-2026112109-20261121100000.json",
        "manifests/segment_feed-998-2026112109-20261121100000.json-processing",
        "manifests/archive/" + _ours(1).rsplit("/", 1)[1],
    ]
    for key in ours + others:
        conn.write(key, io.BytesIO(b"{}"), content_type="application/json")
    conn.close()
    gcs_env.faults.seen.clear()
    verification = verify(integration)
    assert verification.state == "passed", failed_step(verification)
    asked = [call for call in gcs_env.faults.seen if "/acl" in call]
    for key in ours:
        assert any(quote(key, safe="") in call for call in asked), key
    for key in others:
        assert not any(quote(key, safe="") in call for call in asked), key
