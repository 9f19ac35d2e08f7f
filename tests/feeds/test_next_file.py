"""When the next file arrives (issue 37): the first window after a Verify and when its file is
due, told with the time, from the same close rule, grace and beat ticks the schedule uses; fixed
instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from exporthub.tenancy.models import Tenant
from feeds.models import ExportRun
from feeds.pages.next_file import next_file
from feeds.runs import clock
from feeds.runs.schedule import schedule
from feeds.runs.windows import raw_close_delay, settle
from tests.support.exports import active

pytestmark = pytest.mark.django_db
VERIFIED = datetime(2026, 11, 22, 15, 59, tzinfo=UTC)


def test_it_tells_an_admin_who_verified_at_1559_that_the_first_file_is_1600_1615_seconds_later(
    tenant: Tenant,
) -> None:
    integration = active(tenant, "s3", "clicks", VERIFIED, bucket="not-contacted")
    found = next_file(integration, VERIFIED + timedelta(seconds=5))
    assert found is not None and found.first
    assert (found.start, found.end) == (VERIFIED + timedelta(minutes=1),
                                         VERIFIED + timedelta(minutes=16))  # fmt: skip
    # Closed on knowledge (feeds.runs.closing): settled 1 s after its end, exported by the next
    # close tick (every 2 s), not a minute later.
    assert found.due == datetime(2026, 11, 22, 16, 15, 3, tzinfo=UTC)
    assert found.text == (
        "First file: the 16:00\u201316:15 UTC window, expected about 16:15:03 UTC"
    )


def test_it_says_a_log_level_feed_starts_in_the_next_hour(tenant: Tenant) -> None:
    integration = active(tenant, "s3", "standard_feed", VERIFIED, bucket="not-contacted")
    found = next_file(integration, VERIFIED)
    assert found is not None
    assert found.text == "First file: the 16:00\u201317:00 UTC hour, expected about 17:10 UTC"


@pytest.mark.parametrize("feed", ["clicks", "standard_feed"])
def test_it_predicts_the_tick_at_which_the_schedule_creates_the_first_run(
    tenant: Tenant, feed: str
) -> None:
    integration = active(tenant, "s3", feed, VERIFIED, bucket="not-contacted")
    found = next_file(integration, VERIFIED)
    assert found is not None
    # A raw window closes once settled and is exported by the close tick that follows: the page
    # says the latest such tick.
    earliest = found.due - (raw_close_delay() - settle() if feed == "clicks" else timedelta(0))
    schedule(earliest - timedelta(microseconds=1))
    assert not ExportRun.objects.exists()
    schedule(earliest)
    assert list(ExportRun.objects.values_list("window_start", "window_end")) == [
        (found.start, found.end)
    ]


def test_after_the_first_file_it_names_the_next_window_and_its_due_time(tenant: Tenant) -> None:
    integration = active(tenant, "s3", "clicks", VERIFIED, bucket="not-contacted")
    found = next_file(integration, datetime(2026, 11, 22, 17, 15, 2, tzinfo=UTC))
    assert found is not None and not found.first
    assert found.text == "Next file: the 17:00\u201317:15 UTC window, expected about 17:15:03 UTC"
    # Once that tick has passed, the window after it.
    found = next_file(integration, datetime(2026, 11, 22, 17, 15, 30, tzinfo=UTC))
    assert found is not None
    assert found.text == "Next file: the 17:15\u201317:30 UTC window, expected about 17:30:03 UTC"


def test_an_integration_that_is_not_active_has_no_next_file(tenant: Tenant) -> None:
    from tests.support.integrations import make_integration

    integration = make_integration(tenant, "s3", "clicks", bucket="not-contacted")
    assert next_file(integration, VERIFIED) is None


def test_the_page_and_its_json_say_when_the_first_file_comes(
    tenant: Tenant, admin_client: Client
) -> None:
    integration = active(tenant, "s3", "clicks", VERIFIED, bucket="not-contacted")
    url = f"/t/{tenant.slug}/integrations/{integration.pk}/"
    with clock.simulated(VERIFIED + timedelta(seconds=30)):
        page = admin_client.get(url).content.decode()
        answer = admin_client.get(url + "next-file.json").json()
    assert "First file: the 16:00\u201316:15 UTC window, expected about 16:15:03 UTC" in page
    assert answer == {
        "window_start": "2026-11-22T16:00:00Z",
        "window_end": "2026-11-22T16:15:00Z",
        "due": "2026-11-22T16:15:03Z",
        "text": "First file: the 16:00\u201316:15 UTC window, expected about 16:15:03 UTC",
    }
