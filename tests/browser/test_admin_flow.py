"""The first five minutes, in a real browser: set up, verify, watch exports; roles hold."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from exporthub.tenancy.models import Tenant, User
from feeds.demo.synthetic import Generator
from feeds.ingestion.store import store_events
from feeds.runs.windows import ceil, raw_close_delay, window_length
from integrations.models import Integration
from tests.conftest import PASSWORD
from tests.integrations.destinations.s3.buckets import new_bucket, objects

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_sets_up_an_s3_export_verifies_it_and_sees_files(
    page: Any, live_server: Any, s3_env: str, tenant: Tenant, admin_user: User
) -> None:
    from playwright.sync_api import expect

    bucket = new_bucket(s3_env)
    log_in(page, live_server, admin_user.email, PASSWORD)
    expect(page.get_by_role("heading", name="No integrations yet")).to_be_visible()
    page.get_by_role("link", name="New integration").first.click()
    page.get_by_label("Amazon S3").check()
    page.get_by_role("radio", name=re.compile("Clicks —")).check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name").fill("Clicks to S3")
    page.get_by_label("Bucket").fill(bucket)
    page.get_by_label("Region").fill("us-west-2")
    page.get_by_label("Access key").fill("AKIAEXAMPLE000000001")
    page.get_by_label("Secret key").fill("browser-test-secret-key-0001")
    page.get_by_label("Directory").fill("/exports/clicks")
    page.get_by_label("Notification email").fill("data@acme.example")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Not exporting yet")).to_be_visible()

    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Passed: the integration is active.")).to_be_visible()
    expect(page.locator(".step-passed")).to_have_count(7)  # the paths check included
    expect(page.locator(".badge.state-active")).to_be_visible()

    integration = Integration.objects.get(name="Clicks to S3")
    # The first file: the first whole 15-minute window after activation, seconds after it ends
    # (settled, then the next close tick).
    activated = integration.exports_from
    assert activated is not None
    quarter = activated.replace(minute=activated.minute // 15 * 15, second=0, microsecond=0)
    first = quarter if quarter == activated else quarter + timedelta(minutes=15)
    end = first + timedelta(minutes=15)
    due = end + raw_close_delay()
    window = f"{first:%H:%M}\u2013{end:%H:%M} UTC window"
    expect(page.locator("#next-file")).to_have_text(
        f"First file: the {window}, expected about {due:%H:%M:%S} UTC."
    )
    # Export a window of the last hour, so the 7-day chart (which ends now) shows it.
    Integration.objects.filter(pk=integration.pk).update(
        exports_from=integration.exports_from - timedelta(hours=1)  # type: ignore[operator]
    )
    integration.refresh_from_db()
    start = ceil(integration.exports_from, window_length("clicks"))  # type: ignore[arg-type]  # first window
    store_events(
        tenant,
        "clicks",
        list(Generator("clicks", 1).rows(25, start, start + timedelta(minutes=15))),
    )
    call_command(
        "run_exports", f"--now={(start + timedelta(minutes=16)).isoformat()}", stdout=StringIO()
    )
    page.reload()
    expect(page.locator(".badge.run-succeeded").first).to_be_visible()
    expect(page.get_by_role("cell", name="25", exact=True)).to_be_visible()
    rows_chart = page.get_by_role("img", name=re.compile("Rows exported per hour"))
    expect(rows_chart).to_be_visible()
    expect(rows_chart.locator("rect")).to_have_count(1)
    expect(page.locator("figcaption").first).to_contain_text("25 in all")
    assert any(key.endswith(".csv.gz") for key in objects(s3_env, bucket))


def test_a_viewer_sees_no_write_controls_and_a_forged_post_is_refused(
    page: Any, live_server: Any, s3_env: str, tenant: Tenant, viewer_user: User
) -> None:
    from tests.support.integrations import make_integration

    integration = make_integration(tenant, "s3", "clicks", bucket=new_bucket(s3_env))
    log_in(page, live_server, viewer_user.email, PASSWORD)
    page.goto(f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/")
    for name in ("Configure", "Delete", "Verify"):
        assert (
            page.get_by_role("link", name=name).count()
            + page.get_by_role("button", name=name).count()
            == 0
        )
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(
        f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/delete/",
        form={"csrfmiddlewaretoken": token}, headers={"Referer": live_server.url + "/"},
    )  # fmt: skip
    assert answer.status == 403
    assert Integration.objects.filter(pk=integration.pk).exists()


def test_delete_says_files_stay_in_the_bucket(
    page: Any, live_server: Any, s3_env: str, tenant: Tenant, admin_user: User
) -> None:
    from playwright.sync_api import expect

    from tests.support.integrations import make_integration

    integration = make_integration(tenant, "s3", "clicks", bucket=new_bucket(s3_env))
    log_in(page, live_server, admin_user.email, PASSWORD)
    page.goto(f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_text("Files already uploaded stay in your storage")).to_be_visible()
    page.get_by_role("button", name="Delete integration").click()
    expect(page.get_by_text("No integrations yet")).to_be_visible()
    assert not Integration.objects.exists()
    assert timezone.now()
