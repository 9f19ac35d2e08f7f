"""Every tenant page at 1366 and 390 px (issue 37): no card or block wider than its place, each
checkbox beside its label, the enrolment QR code readable; a screenshot of each page at both
widths goes to test-results/screenshots/ (git-ignored; the README says how to make them) for a
reviewer to look at. The sweep's list is checked against the URL patterns, so a new tenant page
cannot be left out of it; the pages outside a tenant are in test_layout_other_pages.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from exporthub.tenancy.models import ApiKey, Invitation, Membership, Tenant, User
from feeds.models import ExportRun
from integrations.models import Verification
from tests.conftest import PASSWORD
from tests.integrations.destinations.s3.buckets import new_bucket
from tests.support.exports import active, events, run_exports
from tests.support.integrations import make_integration
from tests.support.routes import TENANT_PREFIX, fill, patterns
from webhooks.models import Endpoint

from .conftest import log_in
from .layout import WIDTHS, measure, report

pytestmark = pytest.mark.django_db(transaction=True)
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


@dataclass
class TenantPages:
    """The pages the sweep opens (screenshot name → path), and the URL parameters that reach
    this tenant's objects on every other route (`pk` by the route name's first word)."""

    paths: dict[str, str]
    values: dict[str, str]
    pks: dict[str, str]

    def url(self, route: str, name: str) -> str:
        pk = next((pk for prefix, pk in self.pks.items() if name.startswith(prefix)), None)
        return fill(route, {**self.values, "pk": pk or self.values["pk"]})


@pytest.fixture
def pages(
    s3_env: str, tenant: Tenant, admin_user: User, viewer_user: User, settings: Any
) -> Iterator[TenantPages]:
    """A tenant with a delivered log-level hour, a webhook, an S3 integration waiting for its
    bucket policy, a Viewer, an open invitation and an API key: every tenant page has something
    to lay out."""
    settings.S3_PLATFORM_PRINCIPAL_ARN = "arn:aws:iam::111122223333:user/exporthub"
    settings.S3_SEAT_ROLE_ARN = "arn:aws:iam::111122223333:role/exporthub-seat-{seat_id}"
    bucket = new_bucket(s3_env)
    hourly = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, name="Standard feed to S3",
                    format="avro", compression="DEFLATE")  # fmt: skip
    events(tenant, "standard_feed", 60, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(integration=hourly, status="succeeded")
    endpoint = Endpoint(integration=hourly, kind="webhook", events=["window.delivered"],
                        url_hint="https://hooks.acme.example/exporthub/…")  # fmt: skip
    endpoint.set_secrets("https://hooks.acme.example/exporthub/deliveries", "whsec_layout")
    endpoint.save()
    waiting = make_integration(
        tenant, "s3", "clicks", name="Clicks awaiting the bucket policy", bucket="exporthub-demo",
        auth_mode="platform", access_key="", secret_key="",
        directory="/exports/clicks/by-seat/with/a/rather/long/directory/path",
    )  # fmt: skip
    # A failed Verify: its steps, provider code and hint have to fit too.
    verification = Verification.objects.create(
        integration=waiting, state="failed", requested_by=admin_user.email,
        steps=[
            {"name": "Bucket reachable in us-west-2", "status": "passed"},
            {"name": "Write a test object under /exports/clicks/by-seat/with/a/rather/long/"
             "directory/path", "status": "failed", "code": "AccessDenied",
             "detail": "User arn:aws:iam::111122223333:role/exporthub-seat-998 is not authorized "
             "to perform: s3:PutObject on resource: arn:aws:s3:::exporthub-demo/exports/clicks/"
             "by-seat/with/a/rather/long/directory/path/exporthub-verify-0c1d2e3f",
             "hint": "Apply the bucket policy shown on this page."},
            {"name": "Read it back and compare the MD5", "status": "skipped"},
        ],
    )  # fmt: skip
    viewer = Membership.objects.get(user=viewer_user, tenant=tenant)
    invitation, _ = Invitation.issue(tenant, "new.colleague@acme.example", "viewer", admin_user)
    key, _ = ApiKey.issue(tenant, "admin", "nightly ingestion", admin_user)
    values = {"tenant_slug": tenant.slug, "pk": str(hourly.pk), "run_id": str(run.pk),
              "endpoint_id": str(endpoint.pk), "verification_id": str(verification.pk),
              "destination": "s3", "feed": "clicks"}  # fmt: skip
    pks = {"member": str(viewer.pk), "invitation": str(invitation.pk), "api-key": str(key.pk),
           "verification": str(waiting.pk)}  # fmt: skip
    base = f"/t/{tenant.slug}"
    yield TenantPages(
        paths={
            "dashboard": f"{base}/",
            "new-integration": f"{base}/integrations/new/",
            "new-s3-clicks": f"{base}/integrations/new/s3/clicks/",
            "new-gcs-standard-feed": f"{base}/integrations/new/gcs/standard_feed/",
            "new-azure-clicks": f"{base}/integrations/new/azure/clicks/",
            "integration-hourly": f"{base}/integrations/{hourly.pk}/",
            "integration-bucket-policy": f"{base}/integrations/{waiting.pk}/",
            "configure": f"{base}/integrations/{hourly.pk}/configure/",
            "delete": f"{base}/integrations/{hourly.pk}/delete/",
            "run": f"{base}/integrations/{hourly.pk}/runs/{run.pk}/",
            "members": f"{base}/members/",
            "member-remove": f"{base}/members/{viewer.pk}/remove/",
            "api-keys": f"{base}/api-keys/",
            "audit-log": f"{base}/audit/",
            "settings": f"{base}/settings/",
            "two-factor": "/accounts/two-factor/",
            "password": "/accounts/password/",
        },
        values=values,
        pks=pks,
    )


def test_the_sweep_opens_every_tenant_page_that_answers_html(
    pages: TenantPages, admin_user: User
) -> None:
    """Each other tenant route answers a redirect or JSON to an Admin's GET (not a 404: its URL
    reached this tenant's object), so it is not a page left out of the sweep."""
    swept = {resolve(path).url_name for path in pages.paths.values()}
    client = Client()
    client.force_login(admin_user)
    unswept = {}
    for route, pattern in patterns():
        if not route.startswith(TENANT_PREFIX) or pattern.name in swept:
            continue
        answer = client.get(pages.url(route, pattern.name or ""))
        kind = answer.get("Content-Type", "")
        if not (answer.status_code == 302 or kind == "application/json"):
            unswept[pattern.name or route] = f"{answer.status_code} {kind}"
    assert unswept == {}, "add these pages to the layout sweep"
    assert len(swept) >= 12, swept  # the sweep's paths resolve to the tenant pages


def test_every_tenant_page_fits_1366_and_390_px_with_checkboxes_beside_their_labels(
    page: Any, live_server: Any, admin_user: User, pages: TenantPages
) -> None:
    log_in(page, live_server, admin_user.email, PASSWORD)
    problems: dict[str, list[str]] = {}
    for name, path in pages.paths.items():
        answer = page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        if answer.status != 200:
            problems[name] = [f"answered {answer.status}"]
        problems.update(measure(page, name))
    assert problems == {}, report(problems)


def test_the_enrolment_qr_code_reads_back_as_the_otpauth_uri(
    page: Any, live_server: Any, admin_user: User
) -> None:
    import zxingcpp
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from PIL import Image

    log_in(page, live_server, admin_user.email, PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/accounts/two-factor/")
        drawn = page.get_by_role("img", name="QR code of the otpauth link").screenshot()
        [found] = zxingcpp.read_barcodes(Image.open(BytesIO(drawn)))
        assert found.format == zxingcpp.BarcodeFormat.QRCode
        assert found.text == TOTPDevice.objects.get(user=admin_user).config_url
        assert page.get_by_text("No camera? Type this key into the app instead").is_visible()
