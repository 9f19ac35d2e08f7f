"""The Members page: add, invite with a set-password link, change role, remove, last Admin."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from exporthub.tenancy.models import AuditEntry, Membership, Role, Tenant, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant, suffix: str = "") -> str:
    return f"/t/{tenant.slug}/members/{suffix}"


def test_admin_invites_a_new_user_who_sets_a_password_and_lands_in_the_tenant(
    tenant: Tenant, admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(_url(tenant), {"email": "New@Acme.example", "role": "viewer"})
    assert response.status_code == 302
    user = User.objects.get(email="new@acme.example")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.VIEWER
    (email,) = mail.outbox
    assert email.to == ["new@acme.example"] and "Acme Ads" in email.subject
    assert isinstance(email, EmailMultiAlternatives)
    assert "Choose your password" in str(email.alternatives[0][0])
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", str(email.body))
    assert link, email.body
    path = "/" + link.group(0).split("/", 3)[3]

    newcomer = Client()
    form_page = newcomer.get(path, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    final = newcomer.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-passphrase", "new_password2": "a-long-new-passphrase"},
        follow=True,
    )
    assert final.status_code == 200
    assert final.redirect_chain[-1][0] == f"/t/{tenant.slug}/"
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase")
    # The link works once.
    assert not Client().get(path, follow=True).context["validlink"]
    assert AuditEntry.objects.filter(action="member.invited", target_label=user.email).exists()


def test_an_existing_user_is_added_with_a_login_link_not_a_password_link(
    tenant: Tenant, admin_client: Client, outsider: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(_url(tenant), {"email": outsider.email, "role": "admin"})
    assert Membership.objects.get(user=outsider, tenant=tenant).role == Role.ADMIN
    assert outsider.check_password(PASSWORD)
    (email,) = mail.outbox
    assert "set-password" not in email.body and "existing ExportHub account" in email.body
    assert AuditEntry.objects.filter(action="member.added").exists()


def test_adding_a_member_twice_or_a_bad_address_is_an_error_next_to_the_field(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    response = admin_client.post(_url(tenant), {"email": viewer_user.email, "role": "admin"})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert Membership.objects.get(user=viewer_user).role == Role.VIEWER
    response = admin_client.post(_url(tenant), {"email": "not an address", "role": "admin"})
    assert response.status_code == 400 and "valid email" in response.content.decode()
    response = admin_client.post(_url(tenant), {"email": "a@b.example", "role": "owner"})
    assert response.status_code == 400
    assert not User.objects.filter(email="a@b.example").exists()


def test_admin_changes_a_role_and_it_is_audited(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    membership = Membership.objects.get(user=viewer_user)
    response = admin_client.post(_url(tenant, f"{membership.pk}/role/"), {"role": "admin"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    entry = AuditEntry.objects.get(action="member.role_changed")
    assert entry.changes == {"role": {"old": "viewer", "new": "admin"}}


def test_the_last_admin_can_be_neither_demoted_nor_removed(
    tenant: Tenant, admin_client: Client, admin_user: User, viewer_user: User
) -> None:
    own = Membership.objects.get(user=admin_user)
    response = admin_client.post(_url(tenant, f"{own.pk}/role/"), {"role": "viewer"}, follow=True)
    assert "last Admin" in response.content.decode()
    response = admin_client.post(_url(tenant, f"{own.pk}/remove/"), follow=True)
    assert "last Admin" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMIN

    # With a second Admin, the first may step down and then leave.
    other = Membership.objects.get(user=viewer_user)
    admin_client.post(_url(tenant, f"{other.pk}/role/"), {"role": "admin"})
    response = admin_client.post(_url(tenant, f"{own.pk}/role/"), {"role": "viewer"})
    assert response.status_code == 302 and response["Location"] == f"/t/{tenant.slug}/"
    own.refresh_from_db()
    assert own.role == Role.VIEWER


def test_removing_a_member_asks_first_then_removes(
    tenant: Tenant, admin_client: Client, viewer_user: User
) -> None:
    membership = Membership.objects.get(user=viewer_user)
    page = admin_client.get(_url(tenant, f"{membership.pk}/remove/"))
    assert page.status_code == 200 and "will lose access" in page.content.decode()
    assert admin_client.post(_url(tenant, f"{membership.pk}/remove/")).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.filter(pk=viewer_user.pk).exists()
    assert AuditEntry.objects.filter(action="member.removed").exists()


def test_viewer_sees_the_list_but_no_controls_and_cannot_write(
    tenant: Tenant, viewer_client: Client, admin_user: User, viewer_user: User
) -> None:
    page = viewer_client.get(_url(tenant))
    html = page.content.decode()
    assert page.status_code == 200 and admin_user.email in html
    assert "Add member" not in html and "Remove" not in html
    admin = Membership.objects.get(user=admin_user)
    assert (
        viewer_client.post(_url(tenant), {"email": "x@y.example", "role": "admin"}).status_code
        == 403
    )
    assert (
        viewer_client.post(_url(tenant, f"{admin.pk}/role/"), {"role": "viewer"}).status_code == 403
    )
    assert viewer_client.post(_url(tenant, f"{admin.pk}/remove/")).status_code == 403
    assert viewer_client.get(_url(tenant, f"{admin.pk}/remove/")).status_code == 403
    assert Membership.objects.get(pk=admin.pk).role == Role.ADMIN


def test_members_of_another_tenant_are_404(
    tenant: Tenant, other_tenant: Tenant, admin_client: Client, outsider: User
) -> None:
    foreign = Membership.objects.get(user=outsider)
    assert admin_client.post(_url(tenant, f"{foreign.pk}/remove/")).status_code == 404
    assert (
        admin_client.post(_url(tenant, f"{foreign.pk}/role/"), {"role": "viewer"}).status_code
        == 404
    )
    assert admin_client.get(_url(other_tenant)).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()
