"""The pages around the tenant pages at 1366 and 390 px, measured as test_layout.py measures
those: the ones shown once after a POST (a new webhook's signing secret, a new API key, the
recovery codes), the login, its two-factor step and its lockout, invitations, the page of a user
without a tenant, and the 404, 403 and 429 pages. A page shown once is measured at both widths
by resizing it, not by loading it again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from exporthub.tenancy.models import Invitation, Tenant, User
from tests.conftest import PASSWORD
from tests.support.integrations import make_integration
from tests.support.totp import code
from tests.support.webhook_receiver import Receiver

from .conftest import log_in
from .layout import measure, report

pytestmark = pytest.mark.django_db(transaction=True)


def _opened(page: Any, url: str, status: int) -> list[str]:
    answer = page.goto(url)
    page.wait_for_load_state("load")
    return [] if answer.status == status else [f"answered {answer.status}, not {status}"]


def test_the_pages_shown_once_fit_1366_and_390_px(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User, receiver: Receiver
) -> None:
    integration = make_integration(tenant, "s3", "clicks", name="Clicks to S3")
    log_in(page, live_server, admin_user.email, PASSWORD)
    problems: dict[str, list[str]] = {}

    page.goto(f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/")
    page.get_by_label("URL").fill(receiver.url + "/a/rather/long/path/to/the/receiving/endpoint")
    page.get_by_role("button", name="Add webhook").click()
    assert page.locator("#webhook-secret").is_visible()
    assert page.get_by_role("button", name="Copy").is_visible()  # as the API key's and 2FA key's
    problems.update(measure(page, "webhook-secret"))

    page.goto(f"{live_server.url}/t/{tenant.slug}/api-keys/")
    page.get_by_label("Name").fill("nightly ingestion")
    page.get_by_role("button", name="Create key").click()
    assert page.locator("#new-key").is_visible()
    problems.update(measure(page, "api-key-created"))

    page.goto(f"{live_server.url}/accounts/two-factor/")
    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=otp_token]").fill(code(device))
    page.get_by_role("button", name="Turn on").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    problems.update(measure(page, "two-factor-recovery-codes"))
    page.reload()  # the page while two-factor sign-in is on
    problems.update(measure(page, "two-factor-on"))
    assert problems == {}, report(problems)


def test_the_login_its_two_factor_step_invitations_and_the_lockout_fit_1366_and_390_px(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User, outsider: User, settings: Any
) -> None:
    from playwright.sync_api import expect

    TOTPDevice.objects.create(user=admin_user, name="Authenticator app", confirmed=True)
    loner = User.objects.create_user(email="loner@example.org", password=PASSWORD)
    _, for_a_newcomer = Invitation.issue(tenant, "new.colleague@acme.example", "viewer", admin_user)
    _, for_an_account = Invitation.issue(tenant, outsider.email, "viewer", admin_user)
    login = f"{live_server.url}/accounts/login/"
    problems: dict[str, list[str]] = {}

    problems["login"] = _opened(page, login, 200)
    problems.update(measure(page, "login"))
    log_in(page, live_server, admin_user.email, PASSWORD)  # no code: the second step asks for it
    assert page.get_by_text("with your password again").is_visible()  # the form clears it
    expect(page.get_by_label("Password")).to_be_focused()
    problems.update(measure(page, "login-code"))

    url = f"{live_server.url}/invitations/{for_a_newcomer}/"
    problems["invitation-new-account"] = _opened(page, url, 200)
    problems.update(measure(page, "invitation-new-account"))
    problems["invitation-invalid"] = _opened(page, url.replace(for_a_newcomer, "no-longer"), 404)
    assert page.get_by_role("heading", name="This invitation link does not work").is_visible()
    problems.update(measure(page, "invitation-invalid"))

    log_in(page, live_server, loner.email, PASSWORD)
    assert page.get_by_role("heading", name="You are not a member of any tenant yet").is_visible()
    expect(page.get_by_text("Choose tenant")).to_have_count(0)  # there is none to choose
    problems.update(measure(page, "no-tenant"))
    url = f"{live_server.url}/invitations/{for_an_account}/"
    problems["invitation-wrong-account"] = _opened(page, url, 403)
    problems.update(measure(page, "invitation-wrong-account"))
    log_in(page, live_server, outsider.email, PASSWORD)
    problems["invitation-join"] = _opened(page, url, 200)
    problems.update(measure(page, "invitation-join"))

    page.context.clear_cookies()
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 1
    log_in(page, live_server, outsider.email, "not the password")
    log_in(page, live_server, outsider.email, PASSWORD)
    assert page.get_by_role("heading", name="Too many failed logins").is_visible()
    problems.update(measure(page, "login-locked-out"))
    problems = {where: found for where, found in problems.items() if found}
    assert problems == {}, report(problems)


def test_the_404_403_and_429_pages_fit_1366_and_390_px(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User, viewer_user: User,
    settings: Any,
) -> None:  # fmt: skip
    settings.THROTTLE_WRITE_RATE = "1/hour"
    # The counts live in the shared cache: start this user's and tenant's from nothing.
    for who in (f"user-{admin_user.pk}", f"tenant-{tenant.pk}"):
        cache.delete(f"throttle:write:{who}")
    integration = make_integration(tenant, "s3", "standard_feed")  # log-level: Reprocess hour
    base = f"{live_server.url}/t/{tenant.slug}/integrations/{integration.pk}/"
    problems: dict[str, list[str]] = {}

    log_in(page, live_server, admin_user.email, PASSWORD)
    problems["404"] = _opened(page, f"{live_server.url}/t/{tenant.slug}/integrations/0/", 404)
    problems.update(measure(page, "404"))
    for _ in range(2):  # the second reprocessing within the hour is refused
        page.goto(base)
        with page.expect_navigation():
            page.evaluate("document.querySelector('form[action$=\"/reprocess/\"]').submit()")
    assert page.get_by_role("heading", name="Too many requests").is_visible()
    # Read as a person would, not "in 3600 seconds" (a second may have passed since the POST).
    assert page.get_by_text(re.compile(r"Try again in (1 h|59 min( \d+ s)?)\.")).is_visible()
    problems.update(measure(page, "429"))

    page.context.clear_cookies()
    log_in(page, live_server, viewer_user.email, PASSWORD)
    problems["403"] = _opened(page, base + "configure/", 403)
    problems.update(measure(page, "403"))
    problems = {where: found for where, found in problems.items() if found}
    assert problems == {}, report(problems)
