"""Members and API keys in a real browser: invite a colleague, create a key shown once, revoke."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from exporthub.tenancy.models import ApiKey, Membership, Tenant, User
from tests.conftest import PASSWORD

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_invites_a_colleague_and_manages_an_api_key(
    page: Any, live_server: Any, tenant: Tenant, admin_user: User
) -> None:
    from playwright.sync_api import expect

    log_in(page, live_server, admin_user.email, PASSWORD)
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email address").fill("colleague@acme.example")
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Invite member").click()
    expect(
        page.get_by_text("Invited colleague@acme.example: they join once they accept.")
    ).to_be_visible()
    expect(page.get_by_text("colleague@acme.example — Viewer")).to_be_visible()
    assert not Membership.objects.filter(user__email="colleague@acme.example").exists()
    assert [m.to for m in mail.outbox] == [["colleague@acme.example"]]

    page.get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("nightly ingestion")
    page.get_by_label("Role").select_option("admin")
    page.get_by_role("button", name="Create key").click()
    shown = page.locator("#new-key").text_content() or ""
    assert re.fullmatch(r"ehk_[\w-]+", shown)
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    page.reload()  # shown once, and the reload creates no second key
    expect(page.locator("#new-key")).to_have_count(0)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke nightly ingestion").click()
    expect(page.get_by_text(re.compile("Revoked nightly ingestion"))).to_be_visible()
    assert ApiKey.objects.get().revoked_at is not None
