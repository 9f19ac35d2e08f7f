"""Every tenant page at 1366 and 390 px (issue 37): no card or block wider than its place, each
checkbox beside its label, the enrolment QR code readable; a screenshot of each page at both
widths goes to test-results/screenshots/ (git-ignored; the README says how to make them) for a
reviewer to look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest

from exporthub.tenancy.models import Tenant, User
from feeds.models import ExportRun
from integrations.models import Verification
from tests.conftest import PASSWORD
from tests.feeds.export_helpers import active, events, new_bucket, run_exports
from tests.integrations.conftest import make_integration

from .conftest import RESULTS, log_in
from .layout import checkboxes_apart, overflows

pytestmark = pytest.mark.django_db(transaction=True)
SCREENSHOTS = RESULTS / "screenshots"
WIDTHS = (1366, 390)
HOUR = datetime(2026, 11, 22, 10, tzinfo=UTC)


@pytest.fixture
def pages(s3_env: str, tenant: Tenant, admin_user: User, settings: Any) -> Iterator[dict[str, str]]:
    """A tenant with a delivered log-level hour and an S3 integration waiting for its bucket
    policy: every tenant page has something to lay out."""
    settings.S3_PLATFORM_PRINCIPAL_ARN = "arn:aws:iam::111122223333:user/exporthub"
    settings.S3_SEAT_ROLE_ARN = "arn:aws:iam::111122223333:role/exporthub-seat-{seat_id}"
    bucket = new_bucket(s3_env)
    hourly = active(tenant, "s3", "standard_feed", HOUR, bucket=bucket, name="Standard feed to S3",
                    format="avro", compression="DEFLATE")  # fmt: skip
    events(tenant, "standard_feed", 60, HOUR, HOUR + timedelta(hours=1))
    run_exports("2026-11-22T11:11:00Z")
    run = ExportRun.objects.get(integration=hourly, status="succeeded")
    waiting = make_integration(
        tenant, "s3", "clicks", name="Clicks awaiting the bucket policy", bucket="exporthub-demo",
        auth_mode="platform", access_key="", secret_key="",
        directory="/exports/clicks/by-seat/with/a/rather/long/directory/path",
    )  # fmt: skip
    # A failed Verify: its steps, provider code and hint have to fit too.
    Verification.objects.create(
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
    base = f"/t/{tenant.slug}"
    yield {
        "dashboard": f"{base}/",
        "new-integration": f"{base}/integrations/new/",
        "new-s3-clicks": f"{base}/integrations/new/s3/clicks/",
        "integration-hourly": f"{base}/integrations/{hourly.pk}/",
        "integration-bucket-policy": f"{base}/integrations/{waiting.pk}/",
        "configure": f"{base}/integrations/{hourly.pk}/configure/",
        "delete": f"{base}/integrations/{hourly.pk}/delete/",
        "run": f"{base}/integrations/{hourly.pk}/runs/{run.pk}/",
        "members": f"{base}/members/",
        "api-keys": f"{base}/api-keys/",
        "audit-log": f"{base}/audit/",
        "settings": f"{base}/settings/",
        "two-factor": "/accounts/two-factor/",
        "password": "/accounts/password/",
    }


def test_every_tenant_page_fits_1366_and_390_px_with_checkboxes_beside_their_labels(
    page: Any, live_server: Any, admin_user: User, pages: dict[str, str]
) -> None:
    log_in(page, live_server, admin_user.email, PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            found = overflows(page) + checkboxes_apart(page)
            if found:
                problems[f"{name} at {width}px"] = found
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.jpg"), full_page=True,
                            type="jpeg", quality=55)  # fmt: skip
    assert problems == {}, "\n".join(f"{k}: {v[:6]}" for k, v in problems.items())


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
